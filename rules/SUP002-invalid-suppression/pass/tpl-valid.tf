resource "aws_cur_report_definition" "finops" {
  # finops-lint: ignore report-time-unit -- monthly reports are enough for the pilot account
  report_name                = "finops-report"
  time_unit                  = "MONTHLY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "reports"
  s3_region                  = "eu-west-1"
  report_versioning          = "OVERWRITE_REPORT"
}
