"""The API's wiring, shared by the apps' endpoints: errors, languages, caching, paging, limits."""
