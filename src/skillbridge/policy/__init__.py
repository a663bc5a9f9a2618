"""Policy packs: every number, deadline and approval chain of the seeds as versioned, sourced data."""
