resource "aws_iam_user_policy" "finops" {
  user   = "finops"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject",], "Resource": "arn:aws:s3:::acme-finops-billing/*"}
      ]
    }
  EOT
}
