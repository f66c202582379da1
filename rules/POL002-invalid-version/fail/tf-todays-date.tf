resource "aws_iam_policy" "r1" {
  policy = jsonencode({
    Version = "2024-05-01"
    Statement = [
      {
        Sid = "GetObject"
        Effect = "Allow"
        Action = "s3:GetObject"
        Resource = "arn:aws:s3:::acme-finops-billing/*"
      },
    ]
  })
}
