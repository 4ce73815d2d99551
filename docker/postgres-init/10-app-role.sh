#!/bin/bash
# First start of the compose Postgres: the services' login role, a member of
# jointcert_app. POSTGRES_USER owns the database and runs the migrations (the
# registry's MIGRATION_DATABASE_URL); the migration 1767400000000-app-role
# grants jointcert_app what the services need (audit_events: INSERT, SELECT).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" --no-psqlrc -v pw="${APP_DB_PASSWORD:?APP_DB_PASSWORD must be set}" <<'SQL'
CREATE ROLE jointcert_app NOLOGIN;
CREATE ROLE jointcert_service LOGIN PASSWORD :'pw' IN ROLE jointcert_app;
SQL
