package rules

import (
	"errors"
	"fmt"
)

// ParseValue reads one rule from a config file with the rules file's
// parsers: a path rule takes a list of globs (or one), any other rule a
// single value.
func ParseValue(spec Spec, v any) (Limit, error) {
	list, isList := v.([]any)
	switch {
	case !isList:
		return spec.Parse(scalarString(v))
	case !spec.List:
		return Limit{}, errors.New("want a single value")
	}
	var l Limit
	for _, item := range list {
		if item == nil {
			return Limit{}, errors.New("want a glob")
		}
		one, err := spec.Parse(scalarString(item))
		if err != nil {
			return Limit{}, err
		}
		l.Add(one)
	}
	return l, nil
}

// scalarString is a YAML scalar as text (the config loader has already
// typed it).
func scalarString(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
