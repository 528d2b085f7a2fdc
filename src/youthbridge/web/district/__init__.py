"""The district's web application: uploads, quarantine, outreach, disclosures."""
