resource "aws_organizations_policy" "deny_leaving" {
  name = "deny-leaving"
  type = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Deny"
      Action   = ["organizations:LeaveOrganization", "cur:Delete*"]
      Resource = "*"
    }]
  })
}
