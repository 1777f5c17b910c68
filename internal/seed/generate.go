package seed

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
)

// Durations in seconds; generation works in whole Unix seconds.
const (
	minute = int64(60)
	hour   = 60 * minute
	day    = 24 * hour
	year   = 365 * day
)

// User roles, as the users.role CHECK constraint spells them.
const (
	roleAdmin  = "admin"
	roleEditor = "editor"
	roleAuthor = "author"
	roleReader = "reader"
)

// status is an article's lifecycle state.
type status uint8

const (
	statusPublished status = iota
	statusDraft
	statusArchived
)

// String returns the spelling the articles.status CHECK constraint expects.
func (s status) String() string {
	return [...]string{"published", "draft", "archived"}[s]
}

// reactionKinds and reactionWeights give the skew of reaction kinds: most
// readers just like things.
var (
	reactionKinds   = []string{"like", "love", "insightful", "celebrate"}
	reactionWeights = []float64{55, 20, 15, 10}
)

// Rows are kept in slices whose index is the row's id minus one. Optional
// values use their zero value for NULL: no row has id 0, an empty avatar URL
// or a timestamp at the Unix epoch.
type (
	user struct {
		handle, email, displayName, bio, avatarURL, role string
		created, updated                                 int64
	}
	category struct {
		slug, name, description string
	}
	tag struct {
		slug, name string
	}
	article struct {
		author, category            int64
		topic                       topic
		status                      status
		title, slug, excerpt        string
		created, published, updated int64
	}
	articleTag struct {
		article, tag int64
	}
	comment struct {
		article, author, parent   int64
		created, updated, deleted int64
	}
	reaction struct {
		article, user int64
		kind          int
		created       int64
	}
)

// dataset is one scale's worth of rows, generated before anything is written.
// Article bodies and comment texts are the bulk of the bytes, so they are
// generated while streaming instead of being held here.
type dataset struct {
	passwordHash string // every user's, or "" for none
	users        []user
	categories   []category
	tags         []tag
	articles     []article
	articleTags  []articleTag
	comments     []comment
	reactions    []reaction
}

// seedKey seeds every random stream. Each generator draws from its own
// stream so that changing one table's generator leaves the others' rows alone.
const seedKey = 0x466f6c696f2d3031

// Stream numbers, one per generator.
const (
	streamUsers uint64 = iota + 1
	streamTags
	streamArticles
	streamArticleTags
	streamPopularity
	streamComments
	streamReactions
	streamCommentText
	streamBodies
	streamDocs
)

// newRand returns the random stream with the given number.
func newRand(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seedKey, stream))
}

// bodyRand returns the random stream for one article's body. A stream per
// article means bodies do not depend on the order they are generated in.
func bodyRand(articleID int64) *rand.Rand {
	return rand.New(rand.NewPCG(seedKey+streamBodies, uint64(articleID)))
}

// generate builds the data set for sz, anchored at now.
func generate(sz sizes, now time.Time) (*dataset, error) {
	end := now.Unix()
	d := &dataset{
		users:      genUsers(newRand(streamUsers), sz, end),
		categories: genCategories(sz.categories),
		tags:       genTags(newRand(streamTags), sz.tags),
	}
	d.articles = genArticles(newRand(streamArticles), sz, end)
	d.articleTags = genArticleTags(newRand(streamArticleTags), d.articles, d.tags)
	d.articleTags = documentArticle(newRand(streamDocs), d.articles, d.articleTags, d.tags, sz)

	// Comments and reactions share one popularity ranking, so the articles
	// people argue about are also the ones they react to.
	published := publishedIndexes(d.articles)
	pr := newRand(streamPopularity)
	aud := audience{
		published:  published,
		popularity: newSampler(lognormalWeights(pr, len(published), 1.5)),
		activity:   newSampler(lognormalWeights(pr, len(d.users), 1.0)),
	}
	d.comments = genComments(newRand(streamComments), sz.comments, d.articles, aud, end)
	reactions, err := genReactions(newRand(streamReactions), sz.reactions, d.articles, aud, end)
	if err != nil {
		return nil, err
	}
	d.reactions = reactions
	return d, nil
}

// stats counts the rows of d.
func (d *dataset) stats() Stats {
	st := Stats{
		Users:      len(d.users),
		Categories: len(d.categories),
		Tags:       len(d.tags),
		Articles:   len(d.articles),
		Comments:   len(d.comments),
		Reactions:  len(d.reactions),
	}
	for _, u := range d.users {
		if u.role == roleAuthor {
			st.Authors++
		}
	}
	for _, a := range d.articles {
		if a.status == statusPublished {
			st.Published++
		}
	}
	for _, c := range d.comments {
		if c.parent != 0 {
			st.Replies++
		}
	}
	return st
}

// genUsers creates the admin first, then editors, authors and readers, all
// joining in the half year before the first article so every later row can
// reference any user.
func genUsers(r *rand.Rand, sz sizes, now int64) []user {
	joined := sortedTimes(r, sz.users, now-3*year-180*day, now-3*year)
	taken := make(map[string]bool, sz.users)
	users := make([]user, sz.users)
	for i := range users {
		first, last := pick(r, firstNames), pick(r, lastNames)
		h := uniqueHandle(taken, handle(r, first, last))
		u := user{
			handle:      h,
			email:       strings.ToLower(h) + "@" + pick(r, emailDomains),
			displayName: first + " " + last,
			role:        roleFor(i, sz),
			created:     joined[i],
			updated:     joined[i],
		}
		u.bio = bio(r, u.role)
		if r.IntN(10) < 7 {
			u.avatarURL = "https://avatars.example.com/" + strings.ToLower(h) + ".png"
		}
		if r.IntN(2) == 0 {
			u.updated = between(r, u.created, now)
		}
		users[i] = u
	}
	// The first user of each role gets a fixed handle and email, so the
	// demo has accounts a person can name.
	for i := range users {
		role := users[i].role
		if email, ok := DemoAccounts[role]; ok && !taken["demo_"+role] {
			taken["demo_"+role] = true
			users[i].handle, users[i].email = "demo_"+role, email
		}
	}
	return users
}

// roleFor gives the user at index i its role: one admin, then editors, then
// authors, then readers.
func roleFor(i int, sz sizes) string {
	switch {
	case i == 0:
		return roleAdmin
	case i <= sz.editors:
		return roleEditor
	case i <= sz.editors+sz.authors:
		return roleAuthor
	}
	return roleReader
}

// genCategories takes the first n site sections.
func genCategories(n int) []category {
	out := make([]category, n)
	for i := range out {
		out[i] = category{slug: slugify(categoryNames[i]), name: categoryNames[i], description: categoryBlurbs[i]}
	}
	return out
}

// docTags are the tags the documentation's examples use.
var docTags = []string{"Go", "Postgres", "GraphQL"}

// genTags names tags after techs and concepts first, then after tech and
// concept pairs once those run out.
func genTags(r *rand.Rand, n int) []tag {
	names := make([]string, 0, len(techs)+len(concepts))
	for _, t := range techs {
		names = append(names, t.name)
	}
	names = append(names, concepts...)
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	// The documented examples (README, docs/) name these tags; every
	// scale has them, first, whatever the shuffle.
	for k, want := range docTags {
		if i := slices.Index(names, want); i >= 0 {
			names = slices.Delete(names, i, i+1)
			names = slices.Insert(names, k, want)
		}
	}

	taken := make(map[string]bool, n)
	tags := make([]tag, 0, n)
	add := func(name string) {
		if s := slugify(name); !taken[s] {
			taken[s] = true
			tags = append(tags, tag{slug: s, name: name})
		}
	}
	for _, name := range names {
		if len(tags) == n {
			return tags
		}
		add(name)
	}
	for len(tags) < n {
		add(techs[r.IntN(len(techs))].name + " " + concepts[r.IntN(len(concepts))])
	}
	return tags
}

// genArticles writes articles in creation order, so ids rise with created_at
// as they would on a real site, spread over the three years before now.
func genArticles(r *rand.Rand, sz sizes, now int64) []article {
	created := sortedTimes(r, sz.articles, now-3*year, now-2*hour)
	statuses := statusMix(r, sz.articles)
	// Authors are ranked by prolificacy: a few write most of the articles.
	authors := newSampler(lognormalWeights(r, sz.authors, 0.8))
	firstAuthor := int64(sz.editors + 2)
	taken := make(map[string]bool, sz.articles)
	articles := make([]article, sz.articles)
	for i := range articles {
		tp := topic{tech: r.IntN(len(techs)), concept: r.IntN(len(concepts))}
		a := article{
			author:   firstAuthor + int64(authors.pick(r)),
			category: categoryFor(r, tp, sz.categories),
			topic:    tp,
			status:   statuses[i],
			title:    title(r, tp),
			excerpt:  excerpt(r, tp),
			created:  created[i],
		}
		a.slug = uniqueSlug(taken, slugify(a.title))
		a.published, a.updated = articleTimes(r, a.status, a.created, now)
		articles[i] = a
	}
	return articles
}

// statusMix returns n statuses, 2% archived, 8% draft and the rest published,
// in random order. Exact proportions guarantee even the tiny scale has every
// status.
func statusMix(r *rand.Rand, n int) []status {
	archived := int(math.Round(float64(n) * 0.02))
	drafts := int(math.Round(float64(n) * 0.08))
	out := make([]status, n)
	for i := range out {
		switch {
		case i < archived:
			out[i] = statusArchived
		case i < archived+drafts:
			out[i] = statusDraft
		default:
			out[i] = statusPublished
		}
	}
	r.Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// categoryFor files an article under its tech's usual category most of the
// time, elsewhere sometimes, and nowhere for a few.
func categoryFor(r *rand.Rand, tp topic, categories int) int64 {
	if r.IntN(100) < 3 {
		return 0
	}
	if home := techs[tp.tech].category; home < categories && r.IntN(10) < 7 {
		return int64(home + 1)
	}
	return int64(r.IntN(categories) + 1)
}

// articleTimes returns publication and last-update times for an article
// created at created. Anything ever published goes out within five days of
// creation and at least an hour before now, leaving room for comments.
func articleTimes(r *rand.Rand, st status, created, now int64) (published, updated int64) {
	if st == statusDraft {
		return 0, between(r, created, min(created+30*day, now))
	}
	published = between(r, created, min(created+5*day, now-hour))
	updated = published
	if st == statusArchived || r.IntN(10) < 3 {
		updated = between(r, published, now)
	}
	return published, updated
}

// genArticleTags gives each article one to five distinct tags, about three
// on average, favouring the tags named after its own tech and concept and
// otherwise the popular ones.
func genArticleTags(r *rand.Rand, articles []article, tags []tag) []articleTag {
	bySlug := make(map[string]int, len(tags)) // lookups only, never iterated
	for i, t := range tags {
		bySlug[t.slug] = i
	}
	popularity := newSampler(lognormalWeights(r, len(tags), 1.2))
	out := make([]articleTag, 0, len(articles)*3)
	chosen := make([]int, 0, 5)
	for i, a := range articles {
		want := min(tagCount(r), len(tags))
		chosen = chosen[:0]
		if t, ok := bySlug[slugify(techs[a.topic.tech].name)]; ok && r.IntN(10) < 7 {
			chosen = append(chosen, t)
		}
		if t, ok := bySlug[slugify(concepts[a.topic.concept])]; ok && len(chosen) < want && r.IntN(2) == 0 {
			chosen = append(chosen, t)
		}
		for len(chosen) < want {
			if t := popularity.pick(r); !slices.Contains(chosen, t) {
				chosen = append(chosen, t)
			}
		}
		slices.Sort(chosen)
		for _, t := range chosen {
			out = append(out, articleTag{article: int64(i + 1), tag: int64(t + 1)})
		}
	}
	return out
}

// documentArticle makes the second newest published article the one the
// documentation's examples find: about keyset pagination in Postgres, filed
// under Backend, tagged go and postgres. (The newest keeps its slug: the
// playground and the docs open it.) It draws from its own stream, so every
// other row stays as it was, and returns the article tags with that
// article's replaced.
func documentArticle(r *rand.Rand, articles []article, tags []articleTag, tagList []tag, sz sizes) []articleTag {
	i, seen := len(articles)-1, 0
	for ; i >= 0; i-- {
		if articles[i].status == statusPublished {
			if seen++; seen == 2 {
				break
			}
		}
	}
	if i < 0 {
		return tags
	}
	a := &articles[i]
	a.topic = topic{
		tech:    slices.IndexFunc(techs, func(t tech) bool { return t.name == "Postgres" }),
		concept: slices.Index(concepts, "Keyset Pagination"),
	}
	if sz.categories > 1 {
		a.category = 2 // Backend
	}
	a.title, a.excerpt = title(r, a.topic), excerpt(r, a.topic)
	taken := make(map[string]bool, len(articles))
	for j := range articles {
		if j != i {
			taken[articles[j].slug] = true
		}
	}
	a.slug = uniqueSlug(taken, slugify(a.title))

	id := int64(i + 1)
	var want []int64
	for k, t := range tagList {
		if t.slug == "go" || t.slug == "postgres" {
			want = append(want, int64(k+1))
		}
	}
	out := tags[:0:0]
	for _, at := range tags {
		if at.article != id {
			out = append(out, at)
		} else if !slices.Contains(want, at.tag) && len(want) < 5 {
			want = append(want, at.tag)
		}
	}
	slices.Sort(want)
	for _, t := range want {
		out = append(out, articleTag{article: id, tag: t})
	}
	return out
}

// tagCount draws how many tags an article gets: 1–5, mean 3.1.
func tagCount(r *rand.Rand) int {
	switch n := r.IntN(20); {
	case n < 2:
		return 1
	case n < 6:
		return 2
	case n < 13:
		return 3
	case n < 17:
		return 4
	}
	return 5
}

// audience decides who shows up where: which published articles draw
// attention and which users do the commenting and reacting.
type audience struct {
	published  []int   // indexes of published articles
	popularity sampler // over published
	activity   sampler // over all users
}

// genComments writes n comments, a fifth of them replies, on published
// articles only. Top-level comments cluster in the days after publication,
// replies in the hours after their parent. Ids follow created_at.
func genComments(r *rand.Rand, n int, articles []article, aud audience, now int64) []comment {
	if n == 0 || len(aud.published) == 0 {
		return nil
	}
	replies := n / 5
	top := n - replies
	cs := make([]comment, 0, n)
	for range top {
		a := aud.published[aud.popularity.pick(r)]
		pub := articles[a].published
		cs = append(cs, comment{
			article: int64(a + 1),
			author:  int64(aud.activity.pick(r) + 1),
			created: pub + minute + delay(r, now-10*minute-(pub+minute), 2*day),
		})
	}
	// Some threads take off: replies concentrate under a few comments.
	threads := newSampler(lognormalWeights(r, top, 1.0))
	for range replies {
		p := threads.pick(r)
		parent := cs[p]
		author := int64(aud.activity.pick(r) + 1)
		for tries := 0; author == parent.author && tries < 3; tries++ {
			author = int64(aud.activity.pick(r) + 1)
		}
		cs = append(cs, comment{
			article: parent.article,
			author:  author,
			parent:  int64(p + 1), // an index+1 until renumberComments
			created: parent.created + minute + delay(r, now-(parent.created+minute), 6*hour),
		})
	}
	for i := range cs {
		cs[i].updated, cs[i].deleted = commentEdits(r, cs[i].created, now)
	}
	return renumberComments(cs)
}

// commentEdits decides whether a comment was soft-deleted (3%) or edited
// (8%), returning its updated_at and deleted_at (0 for none).
func commentEdits(r *rand.Rand, created, now int64) (updated, deleted int64) {
	switch n := r.IntN(100); {
	case n < 3:
		deleted = created + delay(r, now-created, day)
		return deleted, deleted
	case n < 11:
		return created + delay(r, now-created, hour), 0
	}
	return created, 0
}

// renumberComments sorts comments by creation time, as ids from an identity
// column would be, and rewrites parent references to the new ids. A reply is
// always created after its parent, so parents keep smaller ids.
func renumberComments(cs []comment) []comment {
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(cs[a].created, cs[b].created)
	})
	newID := make([]int64, len(cs))
	for pos, old := range order {
		newID[old] = int64(pos + 1)
	}
	out := make([]comment, len(cs))
	for pos, old := range order {
		c := cs[old]
		if c.parent != 0 {
			c.parent = newID[c.parent-1]
		}
		out[pos] = c
	}
	return out
}

// genReactions writes n distinct (article, user, kind) reactions on
// published articles, sorted by primary key so COPY appends to the index in
// order. It fails rather than loop forever if the scale cannot hold n.
func genReactions(r *rand.Rand, n int, articles []article, aud audience, now int64) ([]reaction, error) {
	if n == 0 || len(aud.published) == 0 {
		return nil, nil
	}
	kinds := newSampler(reactionWeights)
	seen := make(map[uint64]bool, n) // membership only, never iterated
	out := make([]reaction, 0, n)
	for attempts := 0; len(out) < n; attempts++ {
		if attempts > 50*n {
			return nil, fmt.Errorf("only %d distinct reactions after %d attempts, want %d", len(out), attempts, n)
		}
		a := aud.published[aud.popularity.pick(r)]
		u := aud.activity.pick(r)
		k := kinds.pick(r)
		key := uint64(a)<<32 | uint64(u)<<2 | uint64(k)
		if seen[key] {
			continue
		}
		seen[key] = true
		pub := articles[a].published
		out = append(out, reaction{
			article: int64(a + 1),
			user:    int64(u + 1),
			kind:    k,
			created: pub + delay(r, now-pub, day),
		})
	}
	slices.SortFunc(out, func(x, y reaction) int {
		if c := cmp.Compare(x.article, y.article); c != 0 {
			return c
		}
		if c := cmp.Compare(x.user, y.user); c != 0 {
			return c
		}
		return x.kind - y.kind
	})
	return out, nil
}

// publishedIndexes lists the indexes of published articles; only those
// collect comments and reactions.
func publishedIndexes(articles []article) []int {
	var out []int
	for i, a := range articles {
		if a.status == statusPublished {
			out = append(out, i)
		}
	}
	return out
}

// sampler draws indexes in proportion to fixed weights.
type sampler struct {
	cumulative []float64
}

// newSampler prepares a sampler over weights, which must be positive.
func newSampler(weights []float64) sampler {
	cum := make([]float64, len(weights))
	total := 0.0
	for i, w := range weights {
		total += w
		cum[i] = total
	}
	return sampler{cumulative: cum}
}

// pick draws one index.
func (s sampler) pick(r *rand.Rand) int {
	x := r.Float64() * s.cumulative[len(s.cumulative)-1]
	i := sort.Search(len(s.cumulative), func(i int) bool { return s.cumulative[i] > x })
	return min(i, len(s.cumulative)-1)
}

// lognormalWeights draws n log-normal weights: most near 1, a long tail of
// heavy hitters, which is how attention spreads across posts and people.
func lognormalWeights(r *rand.Rand, n int, sigma float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = math.Exp(sigma * r.NormFloat64())
	}
	return w
}

// delay draws a wait of at most window seconds: usually around mean,
// exponentially distributed, and now and then anywhere in the window, so
// old articles keep a trickle of late comments.
func delay(r *rand.Rand, window, mean int64) int64 {
	d := int64(r.ExpFloat64() * float64(mean))
	if d > window || r.IntN(100) < 15 {
		d = r.Int64N(window + 1)
	}
	return d
}

// between draws a time in [lo, hi].
func between(r *rand.Rand, lo, hi int64) int64 {
	return lo + r.Int64N(hi-lo+1)
}

// sortedTimes draws n times in [lo, hi] in ascending order.
func sortedTimes(r *rand.Rand, n int, lo, hi int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = between(r, lo, hi)
	}
	slices.Sort(out)
	return out
}
