data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

resource "aws_s3_bucket_policy" "billing" {
  bucket = "acme-finops-billing"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowDataExports"
      Effect    = "Allow"
      Principal = { Service = ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"] }
      Action    = ["s3:PutObject", "s3:GetBucketPolicy"]
      Resource  = ["arn:aws:s3:::acme-finops-billing", "arn:aws:s3:::acme-finops-billing/*"]
      Condition = {
        StringLike = {
          "aws:SourceAccount" = data.aws_caller_identity.current.account_id
          "aws:SourceArn"     = "arn:aws:bcm-data-exports:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:export/*"
        }
      }
    }]
  })
}
