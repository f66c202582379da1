resource "aws_cur_report_definition" "r1" {
  report_name = "finops"
  time_unit = "DAILY"
  format = "textORcsv"
  compression = "GZIP"
  additional_schema_elements = [
    "RESOURCES",
  ]
  s3_bucket = "acme-finops-billing"
  s3_prefix = "cost&usage"
  s3_region = "eu-west-1"
  refresh_closed_reports = true
  report_versioning = "OVERWRITE_REPORT"
}
