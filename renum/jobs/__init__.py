"""Long work on SAQ: the kinds of job, the queue, and the worker that keeps the tasks table current."""
