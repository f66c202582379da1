resource "aws_iam_policy" "r1" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid = "GetObject"
        effect = "Allow"
        Action = "s3:GetObject"
        Resource = "arn:aws:s3:::acme-finops-billing/*"
      },
    ]
  })
}
