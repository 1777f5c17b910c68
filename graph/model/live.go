package model

// ReactionsChanged is the event of reactionsChanged: the article's ID, its
// article and counts loaded when the event is resolved, so that a burst of
// reactions coalesced into one event shows the latest counts.
type ReactionsChanged struct {
	ArticleID int64
}
