//! Black-box test support lives in the `api` integration test.
