"""The 1EdTech Open Badges 3.0 API's own data: dynamically registered OAuth 2.0 clients, their
authorization codes and tokens (hashed), and the credentials members hold from elsewhere."""
