package rules

// Rules of the social graph's input: list pages, invite-code counts and user searches.
var (
	// PageLimit: a page size is a whole number, 0 or more (0 asks for the default).
	PageLimit = Rule{ID: "limit", Message: "must be a whole number, 0 or more"}
	// PageOffset: where the next page of a list starts.
	PageOffset = Rule{ID: "offset", Message: "must be the _id of the last record of the previous page or its createdAt as an ISO 8601 date"}
	// InviteCount: how many invite codes to generate (0 asks for the default).
	InviteCount = Rule{ID: "count", Message: "must be a whole number, 0 or more"}
	// SearchText: a plain-text user search, counted after trimming spaces.
	SearchText = length("searchText", 1, 256, "characters")
	// SearchFilter: an object user search is a filter in Liquid's language (docs/social.md).
	SearchFilter = Rule{ID: "searchFilter", Message: "must be text or a filter on the search fields with the operators $eq $ne $gt $gte $lt $lte $in $nin $exists $regex $options $not $and $or, at most 10 levels deep"}
)
