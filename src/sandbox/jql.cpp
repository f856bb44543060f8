// JQL parser: a hand-written tokenizer and recursive-descent parser.
//
//   query   := [or] [ORDER BY field [ASC|DESC] {, field [ASC|DESC]}]
//   or      := and {OR and}          and := not {AND not}
//   not     := (NOT | '!') not | '(' or ')' | clause
//   clause  := field op operand
//   op      := = != ~ !~ < <= > >= | IN | NOT IN | IS | IS NOT
//   operand := value | function '(' [arg {, arg}] ')' | '(' operand {, operand} ')' | EMPTY | NULL
//
// Keywords are case-insensitive; values may be bare words (DEMO-1, -7d, cf[10014]) or quoted with
// " or '. Error messages and their "(line 1, character N)" suffix follow Jira's.
#include "sandbox/jql.hpp"

#include <cctype>

namespace jira_mcp::sandbox::detail {
namespace {

struct Token {
  enum class Kind { Word, String, LParen, RParen, Comma, Op, End } kind = Kind::End;
  std::string text;
  std::size_t pos = 0;  // 0-based offset
};

bool special(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == ',' ||
         c == '=' || c == '!' || c == '~' || c == '<' || c == '>' || c == '"' || c == '\'';
}

Result<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto err = [](std::string msg) { return unexpected(Error{"jql", std::move(msg)}); };
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.pos = i;
    if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '(' ? Token::Kind::LParen : c == ')' ? Token::Kind::RParen : Token::Kind::Comma;
      t.text = std::string(1, c);
      ++i;
    } else if (c == '=' || c == '~' || c == '!' || c == '<' || c == '>') {
      t.kind = Token::Kind::Op;
      t.text = std::string(1, c);
      ++i;
      if (i < s.size() && (s[i] == '=' || (c == '!' && s[i] == '~'))) t.text += s[i++];
    } else if (c == '"' || c == '\'') {
      t.kind = Token::Kind::String;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          t.text += s[i + 1];
          i += 2;
        } else if (s[i] == c) {
          closed = true;
          ++i;
          break;
        } else {
          t.text += s[i++];
        }
      }
      if (!closed)
        return err("Error in the JQL Query: The quoted string '" + t.text +
                   "' has not been completed. (line 1, character " + std::to_string(t.pos + 1) +
                   ")");
    } else {
      t.kind = Token::Kind::Word;
      while (i < s.size() && !special(s[i])) t.text += s[i++];
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.pos = s.size();
  out.push_back(end);
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : t_(std::move(toks)) {}

  Result<JqlQuery> parse() {
    JqlQuery q;
    if (!at_keyword("order") && peek().kind != Token::Kind::End) {
      auto w = parse_or();
      if (!error_.empty()) return fail();
      q.where = std::move(w);
    }
    if (at_keyword("order")) {
      next();
      if (!at_keyword("by")) return expecting("'by'");
      next();
      while (true) {
        const Token& f = peek();
        if (f.kind != Token::Kind::Word && f.kind != Token::Kind::String)
          return expecting("a field name");
        JqlOrder o{next().text, false};
        if (at_keyword("asc")) next();
        else if (at_keyword("desc")) {
          next();
          o.desc = true;
        }
        q.order.push_back(std::move(o));
        if (peek().kind != Token::Kind::Comma) break;
        next();
      }
    }
    if (peek().kind != Token::Kind::End) {
      if (q.order.empty()) return expecting("either 'OR' or 'AND'");
      return expecting("either ',' or the end of the query");
    }
    return q;
  }

 private:
  const Token& peek() const { return t_[i_]; }
  const Token& next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
  bool at_keyword(const char* kw) const {
    return peek().kind == Token::Kind::Word && iequals(peek().text, kw);
  }
  static std::string show(const Token& t) { return t.kind == Token::Kind::End ? "EOF" : t.text; }
  std::string where(const Token& t) const {
    return " (line 1, character " + std::to_string(t.pos + 1) + ")";
  }
  Result<JqlQuery> fail() { return unexpected(Error{"jql", error_}); }
  Result<JqlQuery> expecting(const std::string& what) {
    set_error("Expecting " + what + " but got '" + show(peek()) + "'.");
    return fail();
  }
  void set_error(const std::string& msg) {
    if (error_.empty()) error_ = "Error in the JQL Query: " + msg + where(peek());
  }

  std::unique_ptr<JqlNode> combine(JqlNode::Kind kind, std::unique_ptr<JqlNode> left,
                                   std::unique_ptr<JqlNode> right) {
    auto n = std::make_unique<JqlNode>();
    n->kind = kind;
    n->children.push_back(std::move(left));
    n->children.push_back(std::move(right));
    return n;
  }

  std::unique_ptr<JqlNode> parse_or() {
    auto left = parse_and();
    while (error_.empty() && at_keyword("or")) {
      next();
      left = combine(JqlNode::Kind::Or, std::move(left), parse_and());
    }
    return left;
  }
  std::unique_ptr<JqlNode> parse_and() {
    auto left = parse_not();
    while (error_.empty() && at_keyword("and")) {
      next();
      left = combine(JqlNode::Kind::And, std::move(left), parse_not());
    }
    return left;
  }
  std::unique_ptr<JqlNode> parse_not() {
    if (!error_.empty()) return nullptr;
    if (at_keyword("not") || (peek().kind == Token::Kind::Op && peek().text == "!")) {
      next();
      auto n = std::make_unique<JqlNode>();
      n->kind = JqlNode::Kind::Not;
      n->children.push_back(parse_not());
      return n;
    }
    if (peek().kind == Token::Kind::LParen) {
      next();
      auto inner = parse_or();
      if (!error_.empty()) return nullptr;
      if (peek().kind != Token::Kind::RParen) {
        set_error("Expecting ')' but got '" + show(peek()) + "'.");
        return nullptr;
      }
      next();
      return inner;
    }
    return parse_clause();
  }

  std::unique_ptr<JqlNode> parse_clause() {
    const Token& f = peek();
    if ((f.kind != Token::Kind::Word && f.kind != Token::Kind::String) ||
        (f.kind == Token::Kind::Word && (iequals(f.text, "and") || iequals(f.text, "or")))) {
      set_error("Expecting a field name but got '" + show(f) + "'.");
      return nullptr;
    }
    auto n = std::make_unique<JqlNode>();
    n->field = next().text;
    const Token& op = peek();
    if (op.kind == Token::Kind::Op && op.text != "!") {
      static const std::pair<const char*, JqlOp> kOps[] = {
          {"=", JqlOp::Eq}, {"!=", JqlOp::Ne}, {"~", JqlOp::Like}, {"!~", JqlOp::NotLike},
          {"<", JqlOp::Lt}, {"<=", JqlOp::Le}, {">", JqlOp::Gt},   {">=", JqlOp::Ge}};
      for (const auto& [text, o] : kOps)
        if (op.text == text) n->op = o;
      next();
    } else if (at_keyword("in")) {
      n->op = JqlOp::In;
      next();
    } else if (at_keyword("is")) {
      next();
      n->op = JqlOp::Is;
      if (at_keyword("not")) {
        next();
        n->op = JqlOp::IsNot;
      }
    } else if (at_keyword("not")) {
      next();
      if (!at_keyword("in")) {
        set_error("Expecting 'IN' but got '" + show(peek()) + "'.");
        return nullptr;
      }
      next();
      n->op = JqlOp::NotIn;
    } else {
      set_error("Expecting operator but got '" + show(op) +
                "'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', "
                "'NOT IN', 'IS' and 'IS NOT'.");
      return nullptr;
    }
    if (n->op == JqlOp::Is || n->op == JqlOp::IsNot) {
      if (!at_keyword("empty") && !at_keyword("null")) {
        set_error("Expecting 'EMPTY' or 'NULL' but got '" + show(peek()) + "'.");
        return nullptr;
      }
      next();
      n->values.push_back({JqlValue::Kind::Empty, "EMPTY", {}});
      return n;
    }
    if (peek().kind == Token::Kind::LParen) {
      next();
      n->list = true;
      while (true) {
        auto v = parse_value();
        if (!v) return nullptr;
        n->values.push_back(std::move(*v));
        if (peek().kind == Token::Kind::Comma) {
          next();
          continue;
        }
        if (peek().kind != Token::Kind::RParen) {
          set_error("Expecting ')' but got '" + show(peek()) + "'.");
          return nullptr;
        }
        next();
        break;
      }
    } else {
      auto v = parse_value();
      if (!v) return nullptr;
      n->values.push_back(std::move(*v));
    }
    return n;
  }

  std::optional<JqlValue> parse_value() {
    const Token& t = peek();
    if (t.kind == Token::Kind::String) return JqlValue{JqlValue::Kind::Literal, next().text, {}};
    if (t.kind != Token::Kind::Word || iequals(t.text, "and") || iequals(t.text, "or") ||
        iequals(t.text, "order")) {
      set_error("Expecting either a value, list or function but got '" + show(t) + "'.");
      return std::nullopt;
    }
    JqlValue v{JqlValue::Kind::Literal, next().text, {}};
    if (iequals(v.text, "empty") || iequals(v.text, "null")) v.kind = JqlValue::Kind::Empty;
    if (peek().kind == Token::Kind::LParen) {
      v.kind = JqlValue::Kind::Function;
      next();
      while (peek().kind != Token::Kind::RParen) {
        const Token& a = peek();
        if (a.kind != Token::Kind::Word && a.kind != Token::Kind::String) {
          set_error("Expecting ')' but got '" + show(a) + "'.");
          return std::nullopt;
        }
        v.args.push_back(next().text);
        if (peek().kind == Token::Kind::Comma) next();
      }
      next();
    }
    return v;
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
  std::string error_;
};

}  // namespace

Result<JqlQuery> parse_jql(std::string_view text) {
  auto toks = tokenize(text);
  if (!toks) return unexpected(toks.error());
  return Parser(std::move(toks).value()).parse();
}

}  // namespace jira_mcp::sandbox::detail
