package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"usergraph/internal/objectid"
)

// IDMixin gives an entity a server-generated ObjectId-format id (24 hex digits, time-ordered).
type IDMixin struct{ mixin.Schema }

func (IDMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").MaxLen(24).NotEmpty().Unique().Immutable().DefaultFunc(objectid.New),
	}
}

// TimeMixin adds createdAt/updatedAt, as Mongoose's timestamps do.
type TimeMixin struct{ mixin.Schema }

func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(now).Immutable().
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").Default(now).UpdateDefault(now),
	}
}

// now is UTC with millisecond precision, the precision JavaScript timestamps carry.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
