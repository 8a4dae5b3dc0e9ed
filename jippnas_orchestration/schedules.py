"""Schedules: refresh the three sources (and so everything) every night, Jakarta time."""

from dagster import DefaultScheduleStatus, ScheduleDefinition

from .jobs import refresh_all_job

daily_refresh_schedule = ScheduleDefinition(
    name="daily_refresh_schedule",
    job=refresh_all_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Jakarta",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Reads KIPP, IGA and InoLAN again at 02:00 WIB and rebuilds everything downstream.",
)
