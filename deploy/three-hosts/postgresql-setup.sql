-- PostgreSQL on host-3, once, as the postgres superuser: sudo -u postgres psql -f postgresql-setup.sql
-- atlas-server creates its tables itself at the first start. Also in postgresql.conf:
--   listen_addresses = '*'
-- and in pg_hba.conf, for the two instances:
--   host  atlas  atlas  host-1.example.com  scram-sha-256
--   host  atlas  atlas  host-2.example.com  scram-sha-256
CREATE ROLE atlas LOGIN PASSWORD 'change-me';
CREATE DATABASE atlas OWNER atlas;
