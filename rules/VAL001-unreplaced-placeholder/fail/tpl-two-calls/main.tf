resource "aws_iam_user_policy" "reports" {
  name   = "finops-reports"
  user   = "finops-platform"
  policy = templatefile("${path.module}/read.json", { bucket = "acme-finops-billing" })
}

resource "aws_iam_user_policy" "archive" {
  name   = "finops-archive"
  user   = "finops-platform"
  policy = templatefile("${path.module}/read.json", { bucket = "<bucket_name>" })
}
