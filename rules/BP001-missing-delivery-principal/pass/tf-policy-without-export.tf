# a bucket policy on its own (no export declared in the module, no --export-type): either
# billing principal may be the one its export uses
resource "aws_s3_bucket_policy" "r1" {
  bucket = "acme-finops-billing"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid = "EnableAWSDataExportsToWriteToS3AndCheckPolicy"
        Effect = "Allow"
        Principal = {
          Service = "billingreports.amazonaws.com"
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
            "aws:SourceAccount" = "402938475610"
            "aws:SourceArn" = [
              "arn:aws:cur:us-east-1:402938475610:definition/*",
              "arn:aws:bcm-data-exports:us-east-1:402938475610:export/*",
            ]
          }
        }
      },
    ]
  })
}
