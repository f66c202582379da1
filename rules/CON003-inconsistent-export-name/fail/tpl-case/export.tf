resource "aws_bcmdataexports_export" "r1" {
  export {
    name = "finops"
    description = "Cost and usage export for the FinOps platform"
    data_query {
      query_statement = "SELECT * FROM COST_AND_USAGE_REPORT"
      table_configurations = {
        COST_AND_USAGE_REPORT = {
          INCLUDE_RESOURCES = "TRUE"
          INCLUDE_SPLIT_COST_ALLOCATION_DATA = "FALSE"
          INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY = "FALSE"
          TIME_GRANULARITY = "DAILY"
        }
      }
    }
    destination_configurations {
      s3_destination {
        s3_bucket = "acme-finops-billing"
        s3_prefix = "reports"
        s3_region = "eu-west-1"
        s3_output_configurations {
          output_type = "CUSTOM"
          format = "TEXT_OR_CSV"
          compression = "GZIP"
          overwrite = "OVERWRITE_REPORT"
        }
      }
    }
    refresh_cadence {
      frequency = "SYNCHRONOUS"
    }
  }
}
