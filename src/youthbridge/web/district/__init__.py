"""The district's web application: uploads, outreach, consents, releases, progress."""
