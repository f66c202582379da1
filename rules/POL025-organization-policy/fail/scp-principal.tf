resource "aws_organizations_policy" "deny_leaving" {
  name = "deny-leaving"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "organizations:LeaveOrganization"
      Resource  = "*"
    }]
  })
}
