provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

resource "aws_cur_report_definition" "finops" {
  provider = aws.us_east_1
  report_name                = "finops"
  time_unit                  = "DAILY"
  format                     = "textORcsv"
  compression                = "GZIP"
  additional_schema_elements = ["RESOURCES"]
  s3_bucket                  = "acme-finops-billing"
  s3_prefix                  = "reports"
  s3_region                  = "eu-west-1"
  report_versioning          = "OVERWRITE_REPORT"
}
