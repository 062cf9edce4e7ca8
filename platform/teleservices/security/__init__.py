"""Security primitives shared by accounts and staff: password hashing, policy, secrets, tokens."""
