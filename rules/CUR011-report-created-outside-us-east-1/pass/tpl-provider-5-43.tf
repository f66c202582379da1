terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.43.0, < 7.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_cur_report_definition" "finops" {
  
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
