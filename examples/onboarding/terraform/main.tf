# The AWS side of a FinOps platform onboarding with a legacy CUR report. The AWS provider must be
# configured for us-east-1, where legacy CUR reports are created.

variable "bucket" {
  default = "acme-finops-billing"
}

data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "billing" {
  bucket = var.bucket
}

data "aws_iam_policy_document" "delivery" {
  statement {
    sid = "EnableAWSDataExportsToWriteToS3AndCheckPolicy"
    principals {
      type        = "Service"
      identifiers = ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]
    }
    actions   = ["s3:PutObject", "s3:GetBucketPolicy"]
    resources = [aws_s3_bucket.billing.arn, "${aws_s3_bucket.billing.arn}/*"]
    condition {
      test     = "StringLike"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
    condition {
      test     = "StringLike"
      variable = "aws:SourceArn"
      values = [
        "arn:aws:cur:us-east-1:${data.aws_caller_identity.current.account_id}:definition/*",
        "arn:aws:bcm-data-exports:us-east-1:${data.aws_caller_identity.current.account_id}:export/*",
      ]
    }
  }
}

resource "aws_s3_bucket_policy" "billing" {
  bucket = aws_s3_bucket.billing.id
  policy = data.aws_iam_policy_document.delivery.json
}

resource "aws_cur_report_definition" "finops" {
  report_name                = "finops"
  time_unit                  = "DAILY"
  format                     = "textORcsv"
  compression                = "ZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = aws_s3_bucket.billing.id
  s3_prefix                  = "reports"
  s3_region                  = "eu-central-1"
  refresh_closed_reports     = true
  report_versioning          = "OVERWRITE_REPORT"

  depends_on = [aws_s3_bucket_policy.billing]
}

resource "aws_iam_user" "platform" {
  name = "finops-platform"
}

resource "aws_iam_user_policy" "read_only" {
  name = "ReadOnly"
  user = aws_iam_user.platform.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReportsBucketAccess"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
      Resource = [aws_s3_bucket.billing.arn, "${aws_s3_bucket.billing.arn}/*"]
    }]
  })
}
