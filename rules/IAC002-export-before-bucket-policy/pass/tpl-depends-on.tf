resource "aws_s3_bucket" "billing" {
  bucket = "acme-finops-billing"
}

resource "aws_s3_bucket_policy" "billing" {
  bucket = aws_s3_bucket.billing.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowBillingDelivery"
      Effect    = "Allow"
      Principal = { Service = ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"] }
      Action    = ["s3:PutObject", "s3:GetBucketPolicy"]
      Resource  = [aws_s3_bucket.billing.arn, "${aws_s3_bucket.billing.arn}/*"]
    }]
  })
}

resource "aws_bcmdataexports_export" "finops" {
  depends_on = [aws_s3_bucket_policy.billing]
  export {
    name = "finops-export"
    data_query {
      query_statement = "SELECT * FROM COST_AND_USAGE_REPORT"
      table_configurations = {
        COST_AND_USAGE_REPORT = {
          TIME_GRANULARITY  = "DAILY"
          INCLUDE_RESOURCES = "TRUE"
        }
      }
    }
    destination_configurations {
      s3_destination {
        s3_bucket = aws_s3_bucket.billing.id
        s3_prefix = "reports"
        s3_region = "eu-west-1"
        s3_output_configurations {
          overwrite   = "OVERWRITE_REPORT"
          format      = "PARQUET"
          compression = "PARQUET"
          output_type = "CUSTOM"
        }
      }
    }
    refresh_cadence {
      frequency = "SYNCHRONOUS"
    }
  }
}
