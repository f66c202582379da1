# A legacy CUR report with the provider's defaults and a ReadOnly policy with a typo.

resource "aws_s3_bucket" "billing" {
  bucket = "acme-finops-billing"
}

resource "aws_cur_report_definition" "finops" {
  report_name                = "finops report"
  time_unit                  = "HOURLY"
  format                     = "Parquet"
  compression                = "GZIP"
  additional_schema_elements = []
  s3_bucket                  = aws_s3_bucket.billing.id
  s3_prefix                  = "reports/"
  s3_region                  = "eu-central-1"
}

resource "aws_iam_user_policy" "read_only" {
  name   = "ReadOnly"
  user   = "finops-platform"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket",], "Resource": "arn:aws:s3:::acme-finops-billing/*"}
      ]
    }
  EOT
}
