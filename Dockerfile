# The pipeline image: Airflow 3.3 + dbt-duckdb + Great Expectations + the project, from the lock file.
# Used by every Airflow service in docker-compose.yml (one image, different commands).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    AIRFLOW_HOME=/opt/airflow \
    LIVINGREVIEW_DATA_DIR=/opt/livingreview/data \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    DO_NOT_TRACK=1

# curl for the healthchecks; libpq for the PostgreSQL metadata database.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends curl libpq5 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 50000 --gid 0 airflow
WORKDIR /opt/livingreview

# Dependencies first (cached layer), then the project itself.
COPY requirements.lock ./
RUN pip install --requirement requirements.lock

COPY pyproject.toml README.md ./
COPY livingreview/ livingreview/
COPY ingestion/ ingestion/
COPY expectations/ expectations/
COPY dbt_project/ dbt_project/
COPY review/ review/
COPY dags/ dags/
# Editable install: config.PROJECT_ROOT must stay /opt/livingreview so dbt_project/ and review/
# (mounted as volumes in compose) are found beside the code.
RUN pip install --no-deps --editable . \
    && mkdir -p "$AIRFLOW_HOME" "$LIVINGREVIEW_DATA_DIR" \
    && chown -R airflow:0 /opt/livingreview "$AIRFLOW_HOME"

USER airflow
ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/livingreview/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False
EXPOSE 8080
ENTRYPOINT ["airflow"]
CMD ["version"]
