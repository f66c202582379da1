resource "aws_iam_policy" "finops" {
  name   = "finops-read"
  policy = <<EOT
{
  "Version": "2012-10-17",
  // read the billing files
  "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-finops-billing/*"}]
}
EOT
}
