"""The read side: task listings, the overdue review, the national status matrix and the pages' view models.

It reads what the engine (`dtrack.workflow`) wrote and never changes it; features and front ends present it.
"""
