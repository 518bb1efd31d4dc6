"""Development tooling kept out of the domain app: demo data for `make run`, the seed fixtures
builder, province-scale synthetic data and `manage.py bench`. Nothing in plans/ imports it."""
