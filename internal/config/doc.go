// Package config reads ordergate's one YAML file into one validated Config.
//
// Parse and Load do four things in order, and report every problem they find
// at once, each prefixed with the path of the field it concerns
// (storefronts[0].webhook_secrets: required):
//
//  1. Decode the YAML strictly: a key the Config does not know is an error
//     (storefronts[0].webhok_secrets: unknown field), so a typo cannot
//     silently leave a setting at its default.
//  2. Expand ${NAME} and ${NAME:-default} in every string value from the
//     environment. Expansion runs on the decoded values, never on the YAML
//     text, so a secret containing quotes, colons or newlines can neither
//     break the document nor inject keys into it. A variable that is unset
//     or empty and has no default is an error naming the field and the
//     variable. $$ stands for a literal $; a $ not followed by { or $ is kept
//     as it is. The expanded text is not expanded again.
//  3. Fill in defaults: a zero or omitted field means its documented default
//     (see defaults.go for the whole list in one place).
//  4. Validate: required fields, enumerations, ranges, unique names and the
//     references from storefronts to erps and notifiers.
//
// The doc comments on Config and the types it holds are the reference for
// users; testdata/example.yaml is a commented file that sets every field.
package config
