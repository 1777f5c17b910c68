package seed

// Word lists the generators draw from. They are plain slices, never maps, so
// every draw is a deterministic index.

var firstNames = []string{
	"Ada", "Alan", "Grace", "Linus", "Barbara", "Dennis", "Margaret", "Ken",
	"Radia", "Edsger", "Frances", "Donald", "Hedy", "John", "Katherine", "Niklaus",
	"Sophie", "Tim", "Joan", "Guido", "Annie", "Bjarne", "Mary", "Rob",
	"Karen", "Leslie", "Evelyn", "James", "Adele", "Brian", "Shafi", "Andrew",
	"Lynn", "Robert", "Jean", "Martin", "Carol", "Yukihiro", "Susan", "Anders",
	"Priya", "Mateo", "Amara", "Kenji", "Fatima", "Lucas", "Ingrid", "Omar",
	"Chloe", "Ravi", "Elena", "Tomas", "Aisha", "Noah", "Mei", "Diego",
	"Zara", "Felix", "Nadia", "Hugo", "Leila", "Oscar", "Yara", "Ivan",
}

var lastNames = []string{
	"Lovelace", "Turing", "Hopper", "Torvalds", "Liskov", "Ritchie", "Hamilton", "Thompson",
	"Perlman", "Dijkstra", "Allen", "Knuth", "Lamarr", "Backus", "Johnson", "Wirth",
	"Wilson", "Berners", "Clarke", "Rossum", "Easley", "Stroustrup", "Keller", "Pike",
	"Jones", "Lamport", "Boyd", "Gosling", "Goldberg", "Kernighan", "Goldwasser", "Tanenbaum",
	"Conway", "Tarjan", "Sammet", "Fowler", "Shaw", "Matsumoto", "Kare", "Hejlsberg",
	"Patel", "Garcia", "Okafor", "Tanaka", "Haddad", "Silva", "Larsen", "Farouk",
	"Martin", "Kumar", "Petrova", "Novak", "Bello", "Cohen", "Chen", "Alvarez",
	"Mensah", "Schmidt", "Rahman", "Dubois", "Moreau", "Lindqvist", "Nakamura", "Volkov",
	"Brennan", "Osei", "Fischer", "Romano", "Kowalski", "Andersen", "Ito", "Reyes",
}

var emailDomains = []string{"example.com", "example.org", "example.net"}

// categoryNames are the site sections, most general first so the tiny scale
// still gets the ones most techs belong to.
var categoryNames = []string{
	"Databases", "Backend", "Frontend", "DevOps", "Architecture", "Performance",
	"Testing", "Security", "Data Engineering", "Mobile", "Open Source", "Career",
}

var categoryBlurbs = []string{
	"Storage engines, query plans and the data that outlives every rewrite.",
	"Services, APIs and the code between the request and the database.",
	"Browsers, components and the craft of fast, accessible interfaces.",
	"Shipping, running and observing software without waking anyone up.",
	"Boundaries, trade-offs and decisions that are expensive to undo.",
	"Profiles, benchmarks and the occasional surprising flame graph.",
	"Tests that catch bugs, and the ones that only catch refactors.",
	"Threat models, secrets and keeping other people's data safe.",
	"Pipelines, warehouses and moving data without losing any.",
	"Apps in pockets, flaky networks and small batteries.",
	"Maintaining, contributing to and funding the commons.",
	"Growing as an engineer, interviewing and working with people.",
}

// tech is a technology an article can be about, with the index into
// categoryNames it most often belongs to.
type tech struct {
	name     string
	category int
}

var techs = []tech{
	{"Postgres", 0}, {"SQLite", 0}, {"Redis", 0}, {"ClickHouse", 0}, {"DuckDB", 0}, {"MySQL", 0},
	{"Go", 1}, {"Rust", 1}, {"GraphQL", 1}, {"gRPC", 1}, {"Python", 1}, {"Elixir", 1}, {"Kotlin", 1}, {"Node", 1},
	{"React", 2}, {"TypeScript", 2}, {"Svelte", 2}, {"Vue", 2}, {"CSS", 2}, {"WebAssembly", 2},
	{"Kubernetes", 3}, {"Docker", 3}, {"Terraform", 3}, {"Nginx", 3}, {"Linux", 3}, {"Nix", 3},
	{"Kafka", 4}, {"NATS", 4}, {"Prometheus", 5}, {"OpenTelemetry", 5}, {"Grafana", 5},
	{"Playwright", 6}, {"OAuth", 7}, {"TLS", 7}, {"Airflow", 8}, {"Spark", 8},
	{"Swift", 9}, {"Flutter", 9}, {"Git", 10}, {"Zig", 10},
	{"Cassandra", 0}, {"Java", 1}, {"Ruby", 1}, {"Angular", 2}, {"Next.js", 2}, {"Ansible", 3},
	{"Helm", 3}, {"RabbitMQ", 4}, {"Jest", 6}, {"Vault", 7}, {"dbt", 8}, {"Android", 9},
}

var concepts = []string{
	"Keyset Pagination", "Connection Pooling", "Query Planning", "Graceful Shutdown",
	"Rate Limiting", "Caching", "Dataloaders", "Schema Migrations", "Feature Flags",
	"Structured Logging", "Distributed Tracing", "Backpressure", "Idempotency Keys",
	"Retries with Jitter", "Zero-Downtime Deploys", "Full-Text Search", "Partial Indexes",
	"Optimistic Locking", "Event Sourcing", "Circuit Breakers", "Load Shedding",
	"Property-Based Testing", "Fuzzing", "Memory Profiling", "Error Handling",
	"Context Cancellation", "Code Review", "Dependency Injection", "Batch Processing",
	"Background Jobs", "Soft Deletes", "Multi-Tenancy", "Row-Level Security",
	"Read Replicas", "Sharding", "Webhooks", "API Versioning", "Secrets Management",
	"Health Checks", "Observability", "Blue-Green Deployments", "Contract Testing",
	"Snapshot Testing", "Cache Invalidation", "Leader Election", "Service Discovery",
	"Access Control", "Audit Logging", "Data Retention", "Query Batching",
	"Connection Timeouts", "Request Hedging", "Incremental Builds", "Canary Releases",
	"Chaos Engineering", "Input Validation", "Graceful Degradation", "Write-Ahead Logging",
	"Vector Search", "Dead Letter Queues",
}

var alternatives = []string{
	"Offset Pagination", "Polling", "Global Locks", "Cron Jobs", "Manual Testing",
	"Big-Bang Rewrites", "Shared Databases", "Long-Lived Branches", "Naive Retries",
	"Premature Microservices",
}

var metrics = []string{
	"p99 Latency", "Cloud Costs", "Build Times", "Memory Usage", "Error Rates",
	"Cold Starts", "Query Time", "Deploy Times", "Page Weight", "Pager Alerts",
}

// titleTemplates, like every template below, are expanded by expand; see it
// for the placeholders.
var titleTemplates = []string{
	"Why %T %C Beats %L",
	"%N Lessons from Running %C in %T",
	"A Practical Guide to %C in %T for %W",
	"How We Cut %M by %P%% with %T %C",
	"What %W Should Know About %C in %T",
	"%C in %T Without %X",
	"The Hidden Cost of %C in %T for %W",
	"When Not to Use %T for %C: %N Warning Signs",
	"Debugging %C in %T: A Field Guide for %W",
	"%T vs %U: Choosing for %C",
	"%N %C Patterns Every %T Developer Should Know",
	"Rethinking %C in %T to Reduce %M",
	"Getting Started with %C in %T in %N Steps",
	"%N Mistakes to Avoid with %T %C",
	"What %C in %T Taught Us About %M",
	"From %L to %C: A %T Migration Story",
}

// audiences and obstacles give titles a third dimension, so that fifty
// thousand of them rarely repeat.
var audiences = []string{
	"Small Teams", "Startups", "Large Codebases", "On-Call Engineers", "Beginners",
	"Platform Teams", "Side Projects", "Regulated Industries", "High-Traffic Sites", "Legacy Systems",
}

var obstacles = []string{
	"the Pain", "the Drama", "a Rewrite", "Downtime", "a PhD", "Heroics",
	"Vendor Lock-In", "Breaking Clients", "Losing Data", "Extra Infrastructure",
}

var problems = []string{
	"traffic doubles overnight", "the first real outage", "a table grows past a few million rows",
	"on-call gets noisy", "the team doubles in size", "a deploy goes wrong at five on a Friday",
	"the cloud bill arrives", "a customer asks for an audit log", "latency creeps up week by week",
	"the cache goes cold", "a migration locks the busiest table", "two requests race each other",
}

var actions = []string{
	"measure the slow path", "add the missing index", "write the failing test first",
	"keep transactions short", "cap the queue", "log the request id", "set a timeout on every call",
	"batch the lookups", "make the operation idempotent", "read the query plan",
	"move the work to a background job", "put a limit on page size", "shed load early",
	"version the payload", "check the error instead of ignoring it", "profile before optimising",
	"roll out behind a flag", "keep the happy path boring",
}

var consequences = []string{
	"hide the real bottleneck", "push the cost onto the database", "turn one slow request into a hundred",
	"make rollbacks impossible", "fail quietly for weeks", "surprise whoever is on call",
	"double the memory footprint", "leave the system harder to reason about",
}

var adjectives = []string{
	"modest", "dramatic", "surprising", "measurable", "noticeable", "welcome", "tenfold", "steady",
}

var codeSnippets = []string{
	"context.WithTimeout", "EXPLAIN ANALYZE", "SELECT ... FOR UPDATE", "max_connections",
	"GOMAXPROCS", "pg_stat_statements", "Retry-After", "idempotency_key", "kubectl rollout status",
	"errors.Is", "statement_timeout", "sync.WaitGroup", "git bisect", "LIMIT 50", "ON CONFLICT DO NOTHING",
	"http.Server.Shutdown", "VACUUM ANALYZE", "useEffect", "terraform plan", "WHERE deleted_at IS NULL",
}

var sentenceTemplates = []string{
	"Most teams reach for %c only after %R.",
	"In %T, the defaults are good enough until %R.",
	"The trick is to %A before you %B.",
	"We saw a %J improvement once we started to %A.",
	"It is tempting to skip this step, but that tends to %Q.",
	"A one-line change around %K made most of the difference.",
	"None of it matters if you forget to %A.",
	"Start small: %A, then %B.",
	"Getting %c right in %T is mostly about discipline, not cleverness.",
	"The documentation for %K is worth reading twice.",
	"Nobody notices good %c, which is exactly the point.",
	"Without it, %R will %Q.",
	"Our first attempt did not %A, and it showed as soon as %R.",
	"If you remember one thing, %A.",
	"The failure mode is subtle: things look fine until %R.",
	"We wrapped the call in %K and the flaky alerts went away.",
	"%T makes this easier than most, but you still have to %A.",
	"There is a %J payoff in how much simpler the code becomes.",
	"Be wary of any design that would %Q.",
	"Reviewers should ask whether the change will %Q.",
}

var headingTemplates = []string{
	"Why %C Matters", "The Naive Approach", "What Went Wrong", "Measuring First",
	"A Better Design", "%C in %T", "Trade-offs", "Testing It", "Rolling It Out",
	"Operational Notes", "Common Pitfalls", "What We Would Do Differently", "Wrapping Up",
}

var bulletTemplates = []string{
	"%A", "avoid anything that would %Q", "watch %K closely", "test what happens when %R",
	"document why, not just what", "%A and %B",
}

var commentTemplates = []string{
	"Great write-up, thanks!",
	"We hit exactly this with %T last year.",
	"Have you tried to %A? It helped us a lot.",
	"The part about %c was the most useful bit for me.",
	"I disagree a little: in our experience it tends to %Q.",
	"Bookmarking this for the next time %R.",
	"Small typo in the second section, otherwise excellent.",
	"Could you share more about how you tested this?",
	"This is the clearest explanation of %c I have read.",
	"How does this hold up when %R?",
	"We ended up using %K for the same reason.",
	"Would love a follow-up on the %T side of things.",
}

var replyTemplates = []string{
	"Agreed, that matches what we saw.",
	"Thanks for the pointer!",
	"Not in our case; we chose to %A instead.",
	"Good question. Short answer: %A.",
	"Same here, it only showed up once %R.",
	"Fair point, I will update the post.",
	"We tried that, but it started to %Q.",
}

var bioTemplates = []string{
	"Writes about %T and %c. Previously on-call more than was healthy.",
	"Engineer who likes %T, boring technology and clear error messages.",
	"Building things with %T. Strong opinions about %c, loosely held.",
	"Curious about %c. Occasionally writes it down.",
}

var excerptTemplates = []string{
	"A hands-on look at %c in %T, and what changes once %R.",
	"What we learned about %c in %T the hard way.",
	"What really happens to %c in %T when %R.",
	"Everything we wish someone had told us about %c before %R.",
	"A short tour of %c in %T, with the mistakes left in.",
}
