"""Who may do what: site policy, roles, blocks, approval and page protection, in one place.

Services ask these functions, passing the acting person; nothing here reads the request's
user itself.
"""
