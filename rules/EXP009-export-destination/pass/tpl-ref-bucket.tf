variable "bucket" {
  default = "acme-finops-billing"
}

variable "region" {}

resource "aws_s3_bucket" "billing" {
  bucket = var.bucket
}

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
        s3_bucket = aws_s3_bucket.billing.id
        s3_prefix = "reports"
        s3_region = var.region
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
