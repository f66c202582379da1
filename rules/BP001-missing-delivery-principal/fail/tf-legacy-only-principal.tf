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

# the module delivers a CUR 2.0 export into this bucket: the policy must allow its principal
resource "aws_bcmdataexports_export" "finops" {
  export {
    name = "finops"
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
        s3_bucket = "acme-finops-billing"
        s3_prefix = "reports"
        s3_region = "us-east-1"
        s3_output_configurations {
          overwrite   = "OVERWRITE_REPORT"
          format      = "TEXT_OR_CSV"
          compression = "GZIP"
          output_type = "CUSTOM"
        }
      }
    }
    refresh_cadence {
      frequency = "SYNCHRONOUS"
    }
  }
}
