"""What the hub app and the district app share: sign-in, guards, errors, pages."""
