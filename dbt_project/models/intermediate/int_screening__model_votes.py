"""The ML prioritisation model's vote on every study (actor 'model'; livingreview/prioritisation.py).

A Python model so the warehouse scores exactly the studies it holds with the current trained model
(data/models/current); zero rows when no model has been trained yet.
"""


def model(dbt, session):
    from livingreview.prioritisation import warehouse_votes

    dbt.config(materialized="table")
    return warehouse_votes(dbt.ref("int_studies"), dbt.ref("int_records__screened"))
