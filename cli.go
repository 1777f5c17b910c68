package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// command is one of folio's commands, as help shows it.
type command struct {
	name, args, summary string
	// about says more, under the usage line of the command's own help.
	about string
	// settings are the names of the settings the command reads (nil: every
	// one); only their flags are offered.
	settings []string
	// flags registers the command's own flags, if it has any; their usage
	// names the value's placeholder in backquotes, as package flag expects.
	flags func(fs *flag.FlagSet)
}

// dbSettings are what a command that only talks to the database reads.
var dbSettings = []string{"DATABASE_URL", "ENV", "LOG_LEVEL", "LOG_FORMAT"}

// commands are folio's commands in the order help lists them; serve is the
// default.
var commands = []command{
	{name: "serve", summary: "serve the GraphQL API over HTTP (the default command)",
		about: "In development it creates the database if missing, applies the migrations and loads demo data into an empty database."},
	{name: "migrate", args: "up|down|status", summary: "apply, roll back or list the database migrations", settings: dbSettings,
		about: "  up      apply every pending migration (in development, create a missing database first)\n" +
			"  down    roll back the newest migration\n" +
			"  status  list each migration, applied or pending; changes nothing"},
	{name: "seed", summary: "load deterministic demo data into the database", settings: dbSettings,
		about: "Migrates first. Refuses a database with content unless --replace is given.",
		flags: func(fs *flag.FlagSet) {
			fs.String("scale", "small", "how much demo data: `tiny|small|medium`")
			fs.Bool("replace", false, "wipe the existing content first")
		}},
	{name: "documents", args: "load FILE", summary: "register the operations of a persisted-documents manifest (TRUSTED_DOCUMENTS)", settings: dbSettings,
		about: `FILE maps each document's SHA-256 to its text, {"<sha256>": "<document>"}, as GraphQL Code Generator's client preset writes it.`},
	{name: "keygen", summary: "print a new access-token key for JWT_KEYS", settings: []string{},
		about: "Rotate keys by putting the new key first in JWT_KEYS and keeping the old one after it until its tokens expire."},
	{name: "help", args: "[COMMAND]", summary: "show this help, or a command's", settings: []string{}},
}

func lookupCommand(name string) (command, error) {
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == name })
	if i < 0 {
		return command{}, fmt.Errorf("unknown command %q: run `folio help` for the commands", name)
	}
	return commands[i], nil
}

// flagSet is a command's flags; it prints nothing, run does.
func flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// flagError makes a parse error one line with a way forward: the flag
// meant, when one is close, and where the flags are listed.
func flagError(cmd command, fs *flag.FlagSet, err error) error {
	bad, unknown := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !unknown {
		return fmt.Errorf("%v: run `folio %s --help` for its flags", err, cmd.name)
	}
	bad = strings.TrimLeft(bad, "-")
	var near []string
	fs.VisitAll(func(f *flag.Flag) {
		if strings.Contains(f.Name, bad) || strings.Contains(bad, f.Name) {
			near = append(near, "--"+f.Name)
		}
	})
	hint := ""
	if len(near) > 0 && len(near) <= 3 {
		hint = "did you mean " + strings.Join(near, " or ") + "? "
	}
	return fmt.Errorf("%s has no flag --%s: %srun `folio %s --help` for its flags", cmd.name, bad, hint, cmd.name)
}

// printOverview writes `folio help`: the commands, one line each.
func printOverview(w io.Writer) {
	fmt.Fprint(w, "Folio serves the GraphQL API of a publishing platform.\n\nUsage: folio [COMMAND] [ARGUMENTS] [FLAGS]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-24s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprint(w, "\nSettings come from environment variables; a flag of the same name in lower\n"+
		"case overrides one (--database-url for DATABASE_URL).\n"+
		"Run `folio COMMAND --help` for a command's flags.\n")
}

// printCommandHelp writes `folio COMMAND --help`: its usage, then its own
// flags and the settings it reads, grouped, with their environment
// variables and defaults. fs holds the flags registered for cmd.
func printCommandHelp(w io.Writer, cmd command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: folio %s [FLAGS]\n\n%s.\n", strings.TrimSpace(cmd.name+" "+cmd.args), upperFirst(cmd.summary))
	if cmd.about != "" {
		fmt.Fprintf(w, "%s\n", cmd.about)
	}
	if cmd.flags != nil {
		fmt.Fprintf(w, "\nFlags of %s:\n", cmd.name)
		own := flagSet(cmd.name)
		cmd.flags(own)
		own.VisitAll(func(f *flag.Flag) {
			arg, usage := flag.UnquoteUsage(f)
			def := ""
			if arg != "" {
				def = "default " + f.DefValue
			}
			printFlag(w, f.Name, arg, def, usage)
		})
	}
	group := ""
	for _, s := range settings {
		if cmd.settings != nil && !slices.Contains(cmd.settings, s.name) {
			continue
		}
		if g, ok := settingGroups[s.name]; ok || group == "" {
			if !ok {
				g = "Settings"
			}
			group = g
			fmt.Fprintf(w, "\n%s:\n", group)
		}
		def := s.shown
		if def == "" {
			def = s.def
			if def == "" {
				def = "empty"
			}
		}
		printFlag(w, flagName(s.name), s.arg, "env "+s.name+"; default "+strings.ReplaceAll(def, "`", ""), strings.ReplaceAll(s.help, "`", ""))
	}
}

// printFlag writes one flag: its name and placeholder, where its default
// comes from, and its meaning wrapped below.
func printFlag(w io.Writer, name, arg, def, usage string) {
	head := "  --" + name
	if arg != "" {
		head += " " + arg
	}
	if def != "" {
		head = fmt.Sprintf("%-36s %s", head, def)
	}
	fmt.Fprintln(w, head)
	line := "     "
	for _, word := range strings.Fields(usage) {
		if len(line)+1+len(word) > 80 && len(line) > 5 {
			fmt.Fprintln(w, line)
			line = "     "
		}
		line += " " + word
	}
	fmt.Fprintln(w, line)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// isHelp reports whether the parse error asks for help (-h, --help).
func isHelp(err error) bool { return errors.Is(err, flag.ErrHelp) }
