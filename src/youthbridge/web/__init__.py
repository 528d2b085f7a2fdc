"""The web applications: one for the hub, one for a district, never one for both.

Each serves server-rendered pages for staff and a versioned REST API under
/api/v1, both behind sign-in with a second factor. The hub app is
`youthbridge.web.hub.app.create_app`, the district app
`youthbridge.web.district.app.create_app`.
"""
