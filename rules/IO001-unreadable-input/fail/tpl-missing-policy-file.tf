resource "aws_iam_policy" "read_only" {
  name   = "ReadOnly"
  policy = file("${path.module}/policies/read-only.json")
}
