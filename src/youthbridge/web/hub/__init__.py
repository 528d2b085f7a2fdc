"""The hub's web application: trends, the at-risk review, outreach, case work."""
