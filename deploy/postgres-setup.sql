-- The PostgreSQL database and role of the urban M&E dashboard (PostgreSQL 15).
--
-- Run once, as the PostgreSQL superuser, with the app role's password:
--   sudo -u postgres psql -v app_password='A-LONG-RANDOM-PASSWORD' -f deploy/postgres-setup.sql
-- Other names: add -v app_role=NAME -v app_database=NAME (defaults mne_app and mne).
--
-- The app role is not a superuser and cannot create databases or roles: it owns its one
-- database and the schema there, which is what `python -m mne init` (migrations) and
-- `python -m mne restore` (which drops and re-creates the tables) need.

\set ON_ERROR_STOP on
\if :{?app_role}
\else
\set app_role mne_app
\endif
\if :{?app_database}
\else
\set app_database mne
\endif
\if :{?app_password}
\else
\echo 'Give the app role a password: psql -v app_password=... -f deploy/postgres-setup.sql'
\quit
\endif

CREATE ROLE :"app_role" LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE :"app_database" OWNER :"app_role"
    ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"app_database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"app_database" TO :"app_role";

\connect :"app_database"
-- Only the app role creates objects in the public schema.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"app_role";
-- Times are stored with their time zone; reading them in UTC keeps logs and audits comparable.
ALTER ROLE :"app_role" IN DATABASE :"app_database" SET timezone TO 'UTC';
