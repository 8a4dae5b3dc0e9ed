#!/bin/sh
# First start of the PostgreSQL container only: the warehouse gets its own role and database, so the
# Dagster services (instance database) and the pipeline (warehouse) hold different credentials.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v wh_user="$JIPPNAS_WAREHOUSE_USER" -v wh_password="$JIPPNAS_WAREHOUSE_PASSWORD" \
     -v wh_db="$JIPPNAS_WAREHOUSE_DB" <<'SQL'
CREATE ROLE :"wh_user" LOGIN PASSWORD :'wh_password';
CREATE DATABASE :"wh_db" OWNER :"wh_user";
SQL
