resource "aws_s3_bucket_policy" "r1" {
  bucket = "acme-finops-billing"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid = "EnableAWSDataExportsToWriteToS3AndCheckPolicy"
        Effect = "Allow"
        Principal = {
          Service = [
            "billingreports.amazonaws.com",
            "bcm-data-exports.amazonaws.com",
          ]
        }
        Action = [
          "s3:PutObject",
          "s3:GetBucketPolicy",
        ]
        Resource = [
          "arn:aws:s3:::acme-finops-billing/*",
          "arn:aws:s3:::acme-finops-billing",
        ]
        Condition = {
          StringLike = {
            "aws:SourceAccount" = "<AWS account ID>"
          }
        }
      },
    ]
  })
}
