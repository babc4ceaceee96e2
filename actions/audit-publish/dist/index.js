import { createRequire as __genopsCreateRequire } from 'node:module';
import { fileURLToPath as __genopsFileURLToPath } from 'node:url';
import { dirname as __genopsDirname } from 'node:path';
const require = __genopsCreateRequire(import.meta.url);
const __filename = __genopsFileURLToPath(import.meta.url);
const __dirname = __genopsDirname(__filename);
import {
  requestLog
} from "./chunks/chunk-2KEZ4VTU.js";
import {
  DEFAULT_MAX_ARTIFACT_BYTES,
  GITHUB_ACTIONS_ISSUER,
  readTrustedRoot,
  resolveArtifactFiles,
  verifyHandoff
} from "./chunks/chunk-MSLDLW6A.js";
import {
  ConfigError,
  IN_TOTO_PAYLOAD_TYPE,
  InternalError,
  PredicateTypes,
  STATEMENT_TYPE,
  VerificationError,
  canonicalJson,
  docUrl,
  isGenopsError,
  loadPublicKey,
  require_dist2 as require_dist,
  toGenopsError
} from "./chunks/chunk-J3V7XCPU.js";
import {
  Octokit,
  debug,
  error,
  getInput,
  info,
  legacyRestEndpointMethods,
  notice,
  paginateRest,
  require_light,
  retry,
  setFailed,
  setOutput,
  setSecret,
  summary,
  warning
} from "./chunks/chunk-V2B2VGW4.js";
import {
  __commonJS,
  __toESM
} from "./chunks/chunk-UQKFIQGY.js";

// node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/lib/constants.js
var require_constants = __commonJS({
  "node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/lib/constants.js"(exports, module) {
    "use strict";
    var WIN_SLASH = "\\\\/";
    var WIN_NO_SLASH = `[^${WIN_SLASH}]`;
    var DEFAULT_MAX_EXTGLOB_RECURSION = 0;
    var DOT_LITERAL = "\\.";
    var PLUS_LITERAL = "\\+";
    var QMARK_LITERAL = "\\?";
    var SLASH_LITERAL = "\\/";
    var ONE_CHAR = "(?=.)";
    var QMARK = "[^/]";
    var END_ANCHOR = `(?:${SLASH_LITERAL}|$)`;
    var START_ANCHOR = `(?:^|${SLASH_LITERAL})`;
    var DOTS_SLASH = `${DOT_LITERAL}{1,2}${END_ANCHOR}`;
    var NO_DOT = `(?!${DOT_LITERAL})`;
    var NO_DOTS = `(?!${START_ANCHOR}${DOTS_SLASH})`;
    var NO_DOT_SLASH = `(?!${DOT_LITERAL}{0,1}${END_ANCHOR})`;
    var NO_DOTS_SLASH = `(?!${DOTS_SLASH})`;
    var QMARK_NO_DOT = `[^.${SLASH_LITERAL}]`;
    var STAR = `${QMARK}*?`;
    var SEP = "/";
    var POSIX_CHARS = {
      DOT_LITERAL,
      PLUS_LITERAL,
      QMARK_LITERAL,
      SLASH_LITERAL,
      ONE_CHAR,
      QMARK,
      END_ANCHOR,
      DOTS_SLASH,
      NO_DOT,
      NO_DOTS,
      NO_DOT_SLASH,
      NO_DOTS_SLASH,
      QMARK_NO_DOT,
      STAR,
      START_ANCHOR,
      SEP
    };
    var WINDOWS_CHARS = {
      ...POSIX_CHARS,
      SLASH_LITERAL: `[${WIN_SLASH}]`,
      QMARK: WIN_NO_SLASH,
      STAR: `${WIN_NO_SLASH}*?`,
      DOTS_SLASH: `${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$)`,
      NO_DOT: `(?!${DOT_LITERAL})`,
      NO_DOTS: `(?!(?:^|[${WIN_SLASH}])${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
      NO_DOT_SLASH: `(?!${DOT_LITERAL}{0,1}(?:[${WIN_SLASH}]|$))`,
      NO_DOTS_SLASH: `(?!${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
      QMARK_NO_DOT: `[^.${WIN_SLASH}]`,
      START_ANCHOR: `(?:^|[${WIN_SLASH}])`,
      END_ANCHOR: `(?:[${WIN_SLASH}]|$)`,
      SEP: "\\"
    };
    var POSIX_REGEX_SOURCE = {
      __proto__: null,
      alnum: "a-zA-Z0-9",
      alpha: "a-zA-Z",
      ascii: "\\x00-\\x7F",
      blank: " \\t",
      cntrl: "\\x00-\\x1F\\x7F",
      digit: "0-9",
      graph: "\\x21-\\x7E",
      lower: "a-z",
      print: "\\x20-\\x7E ",
      punct: "\\-!\"#$%&'()\\*+,./:;<=>?@[\\]^_`{|}~",
      space: " \\t\\r\\n\\v\\f",
      upper: "A-Z",
      word: "A-Za-z0-9_",
      xdigit: "A-Fa-f0-9"
    };
    module.exports = {
      DEFAULT_MAX_EXTGLOB_RECURSION,
      MAX_LENGTH: 1024 * 64,
      POSIX_REGEX_SOURCE,
      // regular expressions
      REGEX_BACKSLASH: /\\(?![*+?^${}(|)[\]])/g,
      REGEX_NON_SPECIAL_CHARS: /^[^@![\].,$*+?^{}()|\\/]+/,
      REGEX_SPECIAL_CHARS: /[-*+?.^${}(|)[\]]/,
      REGEX_SPECIAL_CHARS_BACKREF: /(\\?)((\W)(\3*))/g,
      REGEX_SPECIAL_CHARS_GLOBAL: /([-*+?.^${}(|)[\]])/g,
      REGEX_REMOVE_BACKSLASH: /(?:\[.*?[^\\]\]|\\(?=.))/g,
      // Replace globs with equivalent patterns to reduce parsing time.
      REPLACEMENTS: {
        __proto__: null,
        "***": "*",
        "**/**": "**",
        "**/**/**": "**"
      },
      // Digits
      CHAR_0: 48,
      /* 0 */
      CHAR_9: 57,
      /* 9 */
      // Alphabet chars.
      CHAR_UPPERCASE_A: 65,
      /* A */
      CHAR_LOWERCASE_A: 97,
      /* a */
      CHAR_UPPERCASE_Z: 90,
      /* Z */
      CHAR_LOWERCASE_Z: 122,
      /* z */
      CHAR_LEFT_PARENTHESES: 40,
      /* ( */
      CHAR_RIGHT_PARENTHESES: 41,
      /* ) */
      CHAR_ASTERISK: 42,
      /* * */
      // Non-alphabetic chars.
      CHAR_AMPERSAND: 38,
      /* & */
      CHAR_AT: 64,
      /* @ */
      CHAR_BACKWARD_SLASH: 92,
      /* \ */
      CHAR_CARRIAGE_RETURN: 13,
      /* \r */
      CHAR_CIRCUMFLEX_ACCENT: 94,
      /* ^ */
      CHAR_COLON: 58,
      /* : */
      CHAR_COMMA: 44,
      /* , */
      CHAR_DOT: 46,
      /* . */
      CHAR_DOUBLE_QUOTE: 34,
      /* " */
      CHAR_EQUAL: 61,
      /* = */
      CHAR_EXCLAMATION_MARK: 33,
      /* ! */
      CHAR_FORM_FEED: 12,
      /* \f */
      CHAR_FORWARD_SLASH: 47,
      /* / */
      CHAR_GRAVE_ACCENT: 96,
      /* ` */
      CHAR_HASH: 35,
      /* # */
      CHAR_HYPHEN_MINUS: 45,
      /* - */
      CHAR_LEFT_ANGLE_BRACKET: 60,
      /* < */
      CHAR_LEFT_CURLY_BRACE: 123,
      /* { */
      CHAR_LEFT_SQUARE_BRACKET: 91,
      /* [ */
      CHAR_LINE_FEED: 10,
      /* \n */
      CHAR_NO_BREAK_SPACE: 160,
      /* \u00A0 */
      CHAR_PERCENT: 37,
      /* % */
      CHAR_PLUS: 43,
      /* + */
      CHAR_QUESTION_MARK: 63,
      /* ? */
      CHAR_RIGHT_ANGLE_BRACKET: 62,
      /* > */
      CHAR_RIGHT_CURLY_BRACE: 125,
      /* } */
      CHAR_RIGHT_SQUARE_BRACKET: 93,
      /* ] */
      CHAR_SEMICOLON: 59,
      /* ; */
      CHAR_SINGLE_QUOTE: 39,
      /* ' */
      CHAR_SPACE: 32,
      /*   */
      CHAR_TAB: 9,
      /* \t */
      CHAR_UNDERSCORE: 95,
      /* _ */
      CHAR_VERTICAL_LINE: 124,
      /* | */
      CHAR_ZERO_WIDTH_NOBREAK_SPACE: 65279,
      /* \uFEFF */
      /**
       * Create EXTGLOB_CHARS
       */
      extglobChars(chars) {
        return {
          "!": { type: "negate", open: "(?:(?!(?:", close: `))${chars.STAR})` },
          "?": { type: "qmark", open: "(?:", close: ")?" },
          "+": { type: "plus", open: "(?:", close: ")+" },
          "*": { type: "star", open: "(?:", close: ")*" },
          "@": { type: "at", open: "(?:", close: ")" }
        };
      },
      /**
       * Create GLOB_CHARS
       */
      globChars(win32) {
        return win32 === true ? WINDOWS_CHARS : POSIX_CHARS;
      }
    };
  }
});

// node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/lib/utils.js
var require_utils = __commonJS({
  "node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/lib/utils.js"(exports) {
    "use strict";
    var {
      REGEX_BACKSLASH,
      REGEX_REMOVE_BACKSLASH,
      REGEX_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_GLOBAL
    } = require_constants();
    exports.isObject = (val) => val !== null && typeof val === "object" && !Array.isArray(val);
    exports.hasRegexChars = (str) => REGEX_SPECIAL_CHARS.test(str);
    exports.isRegexChar = (str) => str.length === 1 && exports.hasRegexChars(str);
    exports.escapeRegex = (str) => str.replace(REGEX_SPECIAL_CHARS_GLOBAL, "\\$1");
    exports.toPosixSlashes = (str) => str.replace(REGEX_BACKSLASH, "/");
    exports.isWindows = () => {
      if (typeof navigator !== "undefined" && navigator.platform) {
        const platform = navigator.platform.toLowerCase();
        return platform === "win32" || platform === "windows";
      }
      if (typeof process !== "undefined" && process.platform) {
        return process.platform === "win32";
      }
      return false;
    };
    exports.removeBackslashes = (str) => {
      return str.replace(REGEX_REMOVE_BACKSLASH, (match) => {
        return match === "\\" ? "" : match;
      });
    };
    exports.escapeLast = (input, char, lastIdx) => {
      const idx = input.lastIndexOf(char, lastIdx);
      if (idx === -1) return input;
      if (input[idx - 1] === "\\") return exports.escapeLast(input, char, idx - 1);
      return `${input.slice(0, idx)}\\${input.slice(idx)}`;
    };
    exports.removePrefix = (input, state = {}) => {
      let output = input;
      if (output.startsWith("./")) {
        output = output.slice(2);
        state.prefix = "./";
      }
      return output;
    };
    exports.wrapOutput = (input, state = {}, options = {}) => {
      const prepend = options.contains ? "" : "^";
      const append = options.contains ? "" : "$";
      let output = `${prepend}(?:${input})${append}`;
      if (state.negated === true) {
        output = `(?:^(?!${output}).*$)`;
      }
      return output;
    };
    exports.basename = (path2, { windows } = {}) => {
      const segs = path2.split(windows ? /[\\/]/ : "/");
      const last = segs[segs.length - 1];
      if (last === "") {
        return segs[segs.length - 2];
      }
      return last;
    };
  }
});

// node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/lib/scan.js
var require_scan = __commonJS({
  "node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/lib/scan.js"(exports, module) {
    "use strict";
    var utils = require_utils();
    var {
      CHAR_ASTERISK,
      /* * */
      CHAR_AT,
      /* @ */
      CHAR_BACKWARD_SLASH,
      /* \ */
      CHAR_COMMA,
      /* , */
      CHAR_DOT,
      /* . */
      CHAR_EXCLAMATION_MARK,
      /* ! */
      CHAR_FORWARD_SLASH,
      /* / */
      CHAR_LEFT_CURLY_BRACE,
      /* { */
      CHAR_LEFT_PARENTHESES,
      /* ( */
      CHAR_LEFT_SQUARE_BRACKET,
      /* [ */
      CHAR_PLUS,
      /* + */
      CHAR_QUESTION_MARK,
      /* ? */
      CHAR_RIGHT_CURLY_BRACE,
      /* } */
      CHAR_RIGHT_PARENTHESES,
      /* ) */
      CHAR_RIGHT_SQUARE_BRACKET
      /* ] */
    } = require_constants();
    var isPathSeparator = (code) => {
      return code === CHAR_FORWARD_SLASH || code === CHAR_BACKWARD_SLASH;
    };
    var depth = (token) => {
      if (token.isPrefix !== true) {
        token.depth = token.isGlobstar ? Infinity : 1;
      }
    };
    var scan = (input, options) => {
      const opts = options || {};
      const length = input.length - 1;
      const scanToEnd = opts.parts === true || opts.tokens === true || opts.scanToEnd === true;
      const slashes = [];
      const tokens = [];
      const parts = [];
      let str = input;
      let index = -1;
      let start = 0;
      let lastIndex = 0;
      let isBrace = false;
      let isBracket = false;
      let isGlob = false;
      let isExtglob = false;
      let isGlobstar = false;
      let braceEscaped = false;
      let backslashes = false;
      let negated = false;
      let negatedExtglob = false;
      let finished = false;
      let braces = 0;
      let prev;
      let code;
      let token = { value: "", depth: 0, isGlob: false };
      const eos = () => index >= length;
      const peek = () => str.charCodeAt(index + 1);
      const advance = () => {
        prev = code;
        return str.charCodeAt(++index);
      };
      while (index < length) {
        code = advance();
        let next;
        if (code === CHAR_BACKWARD_SLASH) {
          backslashes = token.backslashes = true;
          code = advance();
          if (code === CHAR_LEFT_CURLY_BRACE) {
            braceEscaped = true;
          }
          continue;
        }
        if (braceEscaped === true || code === CHAR_LEFT_CURLY_BRACE) {
          braces++;
          while (eos() !== true && (code = advance())) {
            if (code === CHAR_BACKWARD_SLASH) {
              backslashes = token.backslashes = true;
              advance();
              continue;
            }
            if (code === CHAR_LEFT_CURLY_BRACE) {
              braces++;
              continue;
            }
            if (braceEscaped !== true && code === CHAR_DOT && (code = advance()) === CHAR_DOT) {
              isBrace = token.isBrace = true;
              isGlob = token.isGlob = true;
              finished = true;
              if (scanToEnd === true) {
                continue;
              }
              break;
            }
            if (braceEscaped !== true && code === CHAR_COMMA) {
              isBrace = token.isBrace = true;
              isGlob = token.isGlob = true;
              finished = true;
              if (scanToEnd === true) {
                continue;
              }
              break;
            }
            if (code === CHAR_RIGHT_CURLY_BRACE) {
              braces--;
              if (braces === 0) {
                braceEscaped = false;
                isBrace = token.isBrace = true;
                finished = true;
                break;
              }
            }
          }
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_FORWARD_SLASH) {
          slashes.push(index);
          tokens.push(token);
          token = { value: "", depth: 0, isGlob: false };
          if (finished === true) continue;
          if (prev === CHAR_DOT && index === start + 1) {
            start += 2;
            continue;
          }
          lastIndex = index + 1;
          continue;
        }
        if (opts.noext !== true) {
          const isExtglobChar = code === CHAR_PLUS || code === CHAR_AT || code === CHAR_ASTERISK || code === CHAR_QUESTION_MARK || code === CHAR_EXCLAMATION_MARK;
          if (isExtglobChar === true && peek() === CHAR_LEFT_PARENTHESES) {
            isGlob = token.isGlob = true;
            isExtglob = token.isExtglob = true;
            finished = true;
            if (code === CHAR_EXCLAMATION_MARK && index === start) {
              negatedExtglob = true;
            }
            if (scanToEnd === true) {
              let parens = 0;
              while (eos() !== true && (code = advance())) {
                if (code === CHAR_BACKWARD_SLASH) {
                  backslashes = token.backslashes = true;
                  advance();
                  continue;
                }
                if (code === CHAR_LEFT_PARENTHESES) {
                  parens++;
                  continue;
                }
                if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
                  finished = true;
                  break;
                }
              }
              continue;
            }
            break;
          }
        }
        if (code === CHAR_ASTERISK) {
          if (prev === CHAR_ASTERISK) isGlobstar = token.isGlobstar = true;
          isGlob = token.isGlob = true;
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_QUESTION_MARK) {
          isGlob = token.isGlob = true;
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_LEFT_SQUARE_BRACKET) {
          while (eos() !== true && (next = advance())) {
            if (next === CHAR_BACKWARD_SLASH) {
              backslashes = token.backslashes = true;
              advance();
              continue;
            }
            if (next === CHAR_RIGHT_SQUARE_BRACKET) {
              isBracket = token.isBracket = true;
              isGlob = token.isGlob = true;
              finished = true;
              break;
            }
          }
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (opts.nonegate !== true && code === CHAR_EXCLAMATION_MARK && index === start) {
          negated = token.negated = true;
          start++;
          continue;
        }
        if (opts.noparen !== true && code === CHAR_LEFT_PARENTHESES) {
          isGlob = token.isGlob = true;
          if (scanToEnd === true) {
            let parens = 1;
            while (eos() !== true && (code = advance())) {
              if (code === CHAR_BACKWARD_SLASH) {
                backslashes = token.backslashes = true;
                advance();
                continue;
              }
              if (code === CHAR_LEFT_PARENTHESES) {
                parens++;
                continue;
              }
              if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
                finished = true;
                break;
              }
            }
            continue;
          }
          break;
        }
        if (isGlob === true) {
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
      }
      if (opts.noext === true) {
        isExtglob = false;
        isGlob = false;
      }
      let base = str;
      let prefix = "";
      let glob2 = "";
      if (start > 0) {
        prefix = str.slice(0, start);
        str = str.slice(start);
        lastIndex -= start;
      }
      if (base && isGlob === true && lastIndex > 0) {
        base = str.slice(0, lastIndex);
        glob2 = str.slice(lastIndex);
      } else if (isGlob === true) {
        base = "";
        glob2 = str;
      } else {
        base = str;
      }
      if (base && base !== "" && base !== "/" && base !== str) {
        if (isPathSeparator(base.charCodeAt(base.length - 1))) {
          base = base.slice(0, -1);
        }
      }
      if (opts.unescape === true) {
        if (glob2) glob2 = utils.removeBackslashes(glob2);
        if (base && backslashes === true) {
          base = utils.removeBackslashes(base);
        }
      }
      const state = {
        prefix,
        input,
        start,
        base,
        glob: glob2,
        isBrace,
        isBracket,
        isGlob,
        isExtglob,
        isGlobstar,
        negated,
        negatedExtglob
      };
      if (opts.tokens === true) {
        state.maxDepth = 0;
        if (!isPathSeparator(code)) {
          tokens.push(token);
        }
        state.tokens = tokens;
      }
      if (opts.parts === true || opts.tokens === true) {
        let prevIndex;
        for (let idx = 0; idx < slashes.length; idx++) {
          const n2 = prevIndex !== void 0 ? prevIndex + 1 : start;
          const i = slashes[idx];
          const value2 = input.slice(n2, i);
          if (opts.tokens) {
            if (idx === 0 && start !== 0) {
              tokens[idx].isPrefix = true;
              tokens[idx].value = prefix;
            } else {
              tokens[idx].value = value2;
            }
            depth(tokens[idx]);
            state.maxDepth += tokens[idx].depth;
          }
          if (i >= start) {
            parts.push(value2);
            prevIndex = i;
          }
        }
        const n = prevIndex !== void 0 ? prevIndex + 1 : start;
        const value = input.slice(n);
        parts.push(value);
        if (opts.tokens && prevIndex && prevIndex + 1 < input.length) {
          tokens[tokens.length - 1].value = value;
          depth(tokens[tokens.length - 1]);
          state.maxDepth += tokens[tokens.length - 1].depth;
        }
        state.slashes = slashes;
        state.parts = parts;
      }
      return state;
    };
    module.exports = scan;
  }
});

// node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/lib/parse.js
var require_parse = __commonJS({
  "node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/lib/parse.js"(exports, module) {
    "use strict";
    var constants = require_constants();
    var utils = require_utils();
    var {
      MAX_LENGTH,
      POSIX_REGEX_SOURCE,
      REGEX_NON_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_BACKREF,
      REPLACEMENTS
    } = constants;
    var expandRange = (args, options) => {
      if (typeof options.expandRange === "function") {
        return options.expandRange(...args, options);
      }
      args.sort();
      const value = `[${args.join("-")}]`;
      try {
        new RegExp(value);
      } catch (ex) {
        return args.map((v) => utils.escapeRegex(v)).join("..");
      }
      return value;
    };
    var syntaxError = (type, char) => {
      return `Missing ${type}: "${char}" - use "\\\\${char}" to match literal characters`;
    };
    var splitTopLevel = (input) => {
      const parts = [];
      let bracket = 0;
      let paren = 0;
      let quote = 0;
      let value = "";
      let escaped = false;
      for (const ch of input) {
        if (escaped === true) {
          value += ch;
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          value += ch;
          escaped = true;
          continue;
        }
        if (ch === '"') {
          quote = quote === 1 ? 0 : 1;
          value += ch;
          continue;
        }
        if (quote === 0) {
          if (ch === "[") {
            bracket++;
          } else if (ch === "]" && bracket > 0) {
            bracket--;
          } else if (bracket === 0) {
            if (ch === "(") {
              paren++;
            } else if (ch === ")" && paren > 0) {
              paren--;
            } else if (ch === "|" && paren === 0) {
              parts.push(value);
              value = "";
              continue;
            }
          }
        }
        value += ch;
      }
      parts.push(value);
      return parts;
    };
    var isPlainBranch = (branch) => {
      let escaped = false;
      for (const ch of branch) {
        if (escaped === true) {
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          escaped = true;
          continue;
        }
        if (/[?*+@!()[\]{}]/.test(ch)) {
          return false;
        }
      }
      return true;
    };
    var normalizeSimpleBranch = (branch) => {
      let value = branch.trim();
      let changed = true;
      while (changed === true) {
        changed = false;
        if (/^@\([^\\()[\]{}|]+\)$/.test(value)) {
          value = value.slice(2, -1);
          changed = true;
        }
      }
      if (!isPlainBranch(value)) {
        return;
      }
      return value.replace(/\\(.)/g, "$1");
    };
    var hasRepeatedCharPrefixOverlap = (branches) => {
      const values = branches.map(normalizeSimpleBranch).filter(Boolean);
      for (let i = 0; i < values.length; i++) {
        for (let j = i + 1; j < values.length; j++) {
          const a = values[i];
          const b = values[j];
          const char = a[0];
          if (!char || a !== char.repeat(a.length) || b !== char.repeat(b.length)) {
            continue;
          }
          if (a === b || a.startsWith(b) || b.startsWith(a)) {
            return true;
          }
        }
      }
      return false;
    };
    var parseRepeatedExtglob = (pattern, requireEnd = true) => {
      if (pattern[0] !== "+" && pattern[0] !== "*" || pattern[1] !== "(") {
        return;
      }
      let bracket = 0;
      let paren = 0;
      let quote = 0;
      let escaped = false;
      for (let i = 1; i < pattern.length; i++) {
        const ch = pattern[i];
        if (escaped === true) {
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          escaped = true;
          continue;
        }
        if (ch === '"') {
          quote = quote === 1 ? 0 : 1;
          continue;
        }
        if (quote === 1) {
          continue;
        }
        if (ch === "[") {
          bracket++;
          continue;
        }
        if (ch === "]" && bracket > 0) {
          bracket--;
          continue;
        }
        if (bracket > 0) {
          continue;
        }
        if (ch === "(") {
          paren++;
          continue;
        }
        if (ch === ")") {
          paren--;
          if (paren === 0) {
            if (requireEnd === true && i !== pattern.length - 1) {
              return;
            }
            return {
              type: pattern[0],
              body: pattern.slice(2, i),
              end: i
            };
          }
        }
      }
    };
    var buildCharClassStar = (chars) => {
      const source = chars.length === 1 ? utils.escapeRegex(chars[0]) : `[${chars.map((ch) => utils.escapeRegex(ch)).join("")}]`;
      return `${source}*`;
    };
    var getStarExtglobSequenceChars = (pattern) => {
      let index = 0;
      const chars = [];
      while (index < pattern.length) {
        const match = parseRepeatedExtglob(pattern.slice(index), false);
        if (!match || match.type !== "*") {
          return;
        }
        const branches = splitTopLevel(match.body).map((branch2) => branch2.trim());
        if (branches.length !== 1) {
          return;
        }
        const branch = normalizeSimpleBranch(branches[0]);
        if (!branch || branch.length !== 1) {
          return;
        }
        chars.push(branch);
        index += match.end + 1;
      }
      if (chars.length < 1) {
        return;
      }
      return chars;
    };
    var repeatedExtglobRecursion = (pattern) => {
      let depth = 0;
      let value = pattern.trim();
      let match = parseRepeatedExtglob(value);
      while (match) {
        depth++;
        value = match.body.trim();
        match = parseRepeatedExtglob(value);
      }
      return depth;
    };
    var analyzeRepeatedExtglob = (body, options) => {
      if (options.maxExtglobRecursion === false) {
        return { risky: false };
      }
      const max = typeof options.maxExtglobRecursion === "number" ? options.maxExtglobRecursion : constants.DEFAULT_MAX_EXTGLOB_RECURSION;
      const branches = splitTopLevel(body).map((branch) => branch.trim());
      if (branches.length > 1) {
        if (branches.some((branch) => branch === "") || branches.some((branch) => /^[*?]+$/.test(branch)) || hasRepeatedCharPrefixOverlap(branches)) {
          return { risky: true };
        }
      }
      const safeChars = [];
      let sawStarSequence = false;
      let combinable = true;
      for (const branch of branches) {
        const chars = getStarExtglobSequenceChars(branch);
        if (chars) {
          sawStarSequence = true;
          safeChars.push(...chars);
          continue;
        }
        const literal = normalizeSimpleBranch(branch);
        if (literal && literal.length === 1) {
          safeChars.push(literal);
          continue;
        }
        combinable = false;
        if (repeatedExtglobRecursion(branch) > max) {
          return { risky: true };
        }
      }
      if (sawStarSequence) {
        return combinable ? { risky: true, safeOutput: buildCharClassStar([...new Set(safeChars)]) } : { risky: true };
      }
      return { risky: false };
    };
    var parse = (input, options) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected a string");
      }
      input = REPLACEMENTS[input] || input;
      const opts = { ...options };
      const max = typeof opts.maxLength === "number" ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
      let len = input.length;
      if (len > max) {
        throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
      }
      const bos = { type: "bos", value: "", output: opts.prepend || "" };
      const tokens = [bos];
      const capture = opts.capture ? "" : "?:";
      const PLATFORM_CHARS = constants.globChars(opts.windows);
      const EXTGLOB_CHARS = constants.extglobChars(PLATFORM_CHARS);
      const {
        DOT_LITERAL,
        PLUS_LITERAL,
        SLASH_LITERAL,
        ONE_CHAR,
        DOTS_SLASH,
        NO_DOT,
        NO_DOT_SLASH,
        NO_DOTS_SLASH,
        QMARK,
        QMARK_NO_DOT,
        STAR,
        START_ANCHOR
      } = PLATFORM_CHARS;
      const globstar = (opts2) => {
        return `(${capture}(?:(?!${START_ANCHOR}${opts2.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
      };
      const nodot = opts.dot ? "" : NO_DOT;
      const qmarkNoDot = opts.dot ? QMARK : QMARK_NO_DOT;
      let star = opts.bash === true ? globstar(opts) : STAR;
      if (opts.capture) {
        star = `(${star})`;
      }
      if (typeof opts.noext === "boolean") {
        opts.noextglob = opts.noext;
      }
      const state = {
        input,
        index: -1,
        start: 0,
        dot: opts.dot === true,
        consumed: "",
        output: "",
        prefix: "",
        backtrack: false,
        negated: false,
        brackets: 0,
        braces: 0,
        parens: 0,
        quotes: 0,
        globstar: false,
        tokens
      };
      input = utils.removePrefix(input, state);
      len = input.length;
      const extglobs = [];
      const braces = [];
      const stack = [];
      let prev = bos;
      let value;
      const eos = () => state.index === len - 1;
      const peek = state.peek = (n = 1) => input[state.index + n];
      const advance = state.advance = () => input[++state.index] || "";
      const remaining = () => input.slice(state.index + 1);
      const consume = (value2 = "", num = 0) => {
        state.consumed += value2;
        state.index += num;
      };
      const append = (token) => {
        state.output += token.output != null ? token.output : token.value;
        consume(token.value);
      };
      const negate = () => {
        let count = 1;
        while (peek() === "!" && (peek(2) !== "(" || peek(3) === "?")) {
          advance();
          state.start++;
          count++;
        }
        if (count % 2 === 0) {
          return false;
        }
        state.negated = true;
        state.start++;
        return true;
      };
      const increment = (type) => {
        state[type]++;
        stack.push(type);
      };
      const decrement = (type) => {
        state[type]--;
        stack.pop();
      };
      const push = (tok) => {
        if (prev.type === "globstar") {
          const isBrace = state.braces > 0 && (tok.type === "comma" || tok.type === "brace");
          const isExtglob = tok.extglob === true || extglobs.length && (tok.type === "pipe" || tok.type === "paren");
          if (tok.type !== "slash" && tok.type !== "paren" && !isBrace && !isExtglob) {
            state.output = state.output.slice(0, -prev.output.length);
            prev.type = "star";
            prev.value = "*";
            prev.output = star;
            state.output += prev.output;
          }
        }
        if (extglobs.length && tok.type !== "paren") {
          extglobs[extglobs.length - 1].inner += tok.value;
        }
        if (tok.value || tok.output) append(tok);
        if (prev && prev.type === "text" && tok.type === "text") {
          prev.output = (prev.output || prev.value) + tok.value;
          prev.value += tok.value;
          return;
        }
        tok.prev = prev;
        tokens.push(tok);
        prev = tok;
      };
      const extglobOpen = (type, value2) => {
        const token = { ...EXTGLOB_CHARS[value2], conditions: 1, inner: "" };
        token.prev = prev;
        token.parens = state.parens;
        token.output = state.output;
        token.startIndex = state.index;
        token.tokensIndex = tokens.length;
        const output = (opts.capture ? "(" : "") + token.open;
        increment("parens");
        push({ type, value: value2, output: state.output ? "" : ONE_CHAR });
        push({ type: "paren", extglob: true, value: advance(), output });
        extglobs.push(token);
      };
      const extglobClose = (token) => {
        const literal = input.slice(token.startIndex, state.index + 1);
        const body = input.slice(token.startIndex + 2, state.index);
        const analysis = analyzeRepeatedExtglob(body, opts);
        if ((token.type === "plus" || token.type === "star") && analysis.risky) {
          const safeOutput = analysis.safeOutput ? (token.output ? "" : ONE_CHAR) + (opts.capture ? `(${analysis.safeOutput})` : analysis.safeOutput) : void 0;
          const open2 = tokens[token.tokensIndex];
          open2.type = "text";
          open2.value = literal;
          open2.output = safeOutput || utils.escapeRegex(literal);
          for (let i = token.tokensIndex + 1; i < tokens.length; i++) {
            tokens[i].value = "";
            tokens[i].output = "";
            delete tokens[i].suffix;
          }
          state.output = token.output + open2.output;
          state.backtrack = true;
          push({ type: "paren", extglob: true, value, output: "" });
          decrement("parens");
          return;
        }
        let output = token.close + (opts.capture ? ")" : "");
        let rest;
        if (token.type === "negate") {
          let extglobStar = star;
          if (token.inner && token.inner.length > 1 && token.inner.includes("/")) {
            extglobStar = globstar(opts);
          }
          if (extglobStar !== star || eos() || /^\)+$/.test(remaining())) {
            output = token.close = `)$))${extglobStar}`;
          }
          if (token.inner.includes("*") && (rest = remaining()) && /^\.[^\\/.]+$/.test(rest)) {
            const expression = parse(rest, { ...options, fastpaths: false }).output;
            output = token.close = `)${expression})${extglobStar})`;
          }
          if (token.prev.type === "bos") {
            state.negatedExtglob = true;
          }
        }
        push({ type: "paren", extglob: true, value, output });
        decrement("parens");
      };
      if (opts.fastpaths !== false && !/(^[*!]|[/()[\]{}"])/.test(input)) {
        let backslashes = false;
        let output = input.replace(REGEX_SPECIAL_CHARS_BACKREF, (m, esc, chars, first, rest, index) => {
          if (first === "\\") {
            backslashes = true;
            return m;
          }
          if (first === "?") {
            if (esc) {
              return esc + first + (rest ? QMARK.repeat(rest.length) : "");
            }
            if (index === 0) {
              return qmarkNoDot + (rest ? QMARK.repeat(rest.length) : "");
            }
            return QMARK.repeat(chars.length);
          }
          if (first === ".") {
            return DOT_LITERAL.repeat(chars.length);
          }
          if (first === "*") {
            if (esc) {
              return esc + first + (rest ? star : "");
            }
            return star;
          }
          return esc ? m : `\\${m}`;
        });
        if (backslashes === true) {
          if (opts.unescape === true) {
            output = output.replace(/\\/g, "");
          } else {
            output = output.replace(/\\+/g, (m) => {
              return m.length % 2 === 0 ? "\\\\" : m ? "\\" : "";
            });
          }
        }
        if (output === input && opts.contains === true) {
          state.output = input;
          return state;
        }
        state.output = utils.wrapOutput(output, state, options);
        return state;
      }
      while (!eos()) {
        value = advance();
        if (value === "\0") {
          continue;
        }
        if (value === "\\") {
          const next = peek();
          if (next === "/" && opts.bash !== true) {
            continue;
          }
          if (next === "." || next === ";") {
            continue;
          }
          if (!next) {
            value += "\\";
            push({ type: "text", value });
            continue;
          }
          const match = /^\\+/.exec(remaining());
          let slashes = 0;
          if (match && match[0].length > 2) {
            slashes = match[0].length;
            state.index += slashes;
            if (slashes % 2 !== 0) {
              value += "\\";
            }
          }
          if (opts.unescape === true) {
            value = advance();
          } else {
            value += advance();
          }
          if (state.brackets === 0) {
            push({ type: "text", value });
            continue;
          }
        }
        if (state.brackets > 0 && (value !== "]" || prev.value === "[" || prev.value === "[^")) {
          if (opts.posix !== false && value === ":") {
            const inner = prev.value.slice(1);
            if (inner.includes("[")) {
              prev.posix = true;
              if (inner.includes(":")) {
                const idx = prev.value.lastIndexOf("[");
                const pre = prev.value.slice(0, idx);
                const rest2 = prev.value.slice(idx + 2);
                const posix2 = POSIX_REGEX_SOURCE[rest2];
                if (posix2) {
                  prev.value = pre + posix2;
                  state.backtrack = true;
                  advance();
                  if (!bos.output && tokens.indexOf(prev) === 1) {
                    bos.output = ONE_CHAR;
                  }
                  continue;
                }
              }
            }
          }
          if (value === "[" && peek() !== ":" || value === "-" && peek() === "]") {
            value = `\\${value}`;
          }
          if (value === "]" && (prev.value === "[" || prev.value === "[^")) {
            value = `\\${value}`;
          }
          if (opts.posix === true && value === "!" && prev.value === "[") {
            value = "^";
          }
          prev.value += value;
          append({ value });
          continue;
        }
        if (state.quotes === 1 && value !== '"') {
          value = utils.escapeRegex(value);
          prev.value += value;
          append({ value });
          continue;
        }
        if (value === '"') {
          state.quotes = state.quotes === 1 ? 0 : 1;
          if (opts.keepQuotes === true) {
            push({ type: "text", value });
          }
          continue;
        }
        if (value === "(") {
          increment("parens");
          push({ type: "paren", value });
          continue;
        }
        if (value === ")") {
          if (state.parens === 0 && opts.strictBrackets === true) {
            throw new SyntaxError(syntaxError("opening", "("));
          }
          const extglob = extglobs[extglobs.length - 1];
          if (extglob && state.parens === extglob.parens + 1) {
            extglobClose(extglobs.pop());
            continue;
          }
          push({ type: "paren", value, output: state.parens ? ")" : "\\)" });
          decrement("parens");
          continue;
        }
        if (value === "[") {
          if (opts.nobracket === true || !remaining().includes("]")) {
            if (opts.nobracket !== true && opts.strictBrackets === true) {
              throw new SyntaxError(syntaxError("closing", "]"));
            }
            value = `\\${value}`;
          } else {
            increment("brackets");
          }
          push({ type: "bracket", value });
          continue;
        }
        if (value === "]") {
          if (opts.nobracket === true || prev && prev.type === "bracket" && prev.value.length === 1) {
            push({ type: "text", value, output: `\\${value}` });
            continue;
          }
          if (state.brackets === 0) {
            if (opts.strictBrackets === true) {
              throw new SyntaxError(syntaxError("opening", "["));
            }
            push({ type: "text", value, output: `\\${value}` });
            continue;
          }
          decrement("brackets");
          const prevValue = prev.value.slice(1);
          if (prev.posix !== true && prevValue[0] === "^" && !prevValue.includes("/")) {
            value = `/${value}`;
          }
          prev.value += value;
          append({ value });
          if (opts.literalBrackets === false || utils.hasRegexChars(prevValue)) {
            continue;
          }
          const escaped = utils.escapeRegex(prev.value);
          state.output = state.output.slice(0, -prev.value.length);
          if (opts.literalBrackets === true) {
            state.output += escaped;
            prev.value = escaped;
            continue;
          }
          prev.value = `(${capture}${escaped}|${prev.value})`;
          state.output += prev.value;
          continue;
        }
        if (value === "{" && opts.nobrace !== true) {
          increment("braces");
          const open2 = {
            type: "brace",
            value,
            output: "(",
            outputIndex: state.output.length,
            tokensIndex: state.tokens.length
          };
          braces.push(open2);
          push(open2);
          continue;
        }
        if (value === "}") {
          const brace = braces[braces.length - 1];
          if (opts.nobrace === true || !brace) {
            push({ type: "text", value, output: value });
            continue;
          }
          let output = ")";
          if (brace.dots === true) {
            const arr = tokens.slice();
            const range = [];
            for (let i = arr.length - 1; i >= 0; i--) {
              tokens.pop();
              if (arr[i].type === "brace") {
                break;
              }
              if (arr[i].type !== "dots") {
                range.unshift(arr[i].value);
              }
            }
            output = expandRange(range, opts);
            state.backtrack = true;
          }
          if (brace.comma !== true && brace.dots !== true) {
            const out = state.output.slice(0, brace.outputIndex);
            const toks = state.tokens.slice(brace.tokensIndex);
            brace.value = brace.output = "\\{";
            value = output = "\\}";
            state.output = out;
            for (const t of toks) {
              state.output += t.output || t.value;
            }
          }
          push({ type: "brace", value, output });
          decrement("braces");
          braces.pop();
          continue;
        }
        if (value === "|") {
          if (extglobs.length > 0) {
            extglobs[extglobs.length - 1].conditions++;
          }
          push({ type: "text", value });
          continue;
        }
        if (value === ",") {
          let output = value;
          const brace = braces[braces.length - 1];
          if (brace && stack[stack.length - 1] === "braces") {
            brace.comma = true;
            output = "|";
          }
          push({ type: "comma", value, output });
          continue;
        }
        if (value === "/") {
          if (prev.type === "dot" && state.index === state.start + 1) {
            state.start = state.index + 1;
            state.consumed = "";
            state.output = "";
            tokens.pop();
            prev = bos;
            continue;
          }
          push({ type: "slash", value, output: SLASH_LITERAL });
          continue;
        }
        if (value === ".") {
          if (state.braces > 0 && prev.type === "dot") {
            if (prev.value === ".") prev.output = DOT_LITERAL;
            const brace = braces[braces.length - 1];
            prev.type = "dots";
            prev.output += value;
            prev.value += value;
            brace.dots = true;
            continue;
          }
          if (state.braces + state.parens === 0 && prev.type !== "bos" && prev.type !== "slash") {
            push({ type: "text", value, output: DOT_LITERAL });
            continue;
          }
          push({ type: "dot", value, output: DOT_LITERAL });
          continue;
        }
        if (value === "?") {
          const isGroup = prev && prev.value === "(";
          if (!isGroup && opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            extglobOpen("qmark", value);
            continue;
          }
          if (prev && prev.type === "paren") {
            const next = peek();
            let output = value;
            if (prev.value === "(" && !/[!=<:]/.test(next) || next === "<" && !/<([!=]|\w+>)/.test(remaining())) {
              output = `\\${value}`;
            }
            push({ type: "text", value, output });
            continue;
          }
          if (opts.dot !== true && (prev.type === "slash" || prev.type === "bos")) {
            push({ type: "qmark", value, output: QMARK_NO_DOT });
            continue;
          }
          push({ type: "qmark", value, output: QMARK });
          continue;
        }
        if (value === "!") {
          if (opts.noextglob !== true && peek() === "(") {
            if (peek(2) !== "?" || !/[!=<:]/.test(peek(3))) {
              extglobOpen("negate", value);
              continue;
            }
          }
          if (opts.nonegate !== true && state.index === 0) {
            negate();
            continue;
          }
        }
        if (value === "+") {
          if (opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            extglobOpen("plus", value);
            continue;
          }
          if (prev && prev.value === "(" || opts.regex === false) {
            push({ type: "plus", value, output: PLUS_LITERAL });
            continue;
          }
          if (prev && (prev.type === "bracket" || prev.type === "paren" || prev.type === "brace") || state.parens > 0) {
            push({ type: "plus", value });
            continue;
          }
          push({ type: "plus", value: PLUS_LITERAL });
          continue;
        }
        if (value === "@") {
          if (opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            push({ type: "at", extglob: true, value, output: "" });
            continue;
          }
          push({ type: "text", value });
          continue;
        }
        if (value !== "*") {
          if (value === "$" || value === "^") {
            value = `\\${value}`;
          }
          const match = REGEX_NON_SPECIAL_CHARS.exec(remaining());
          if (match) {
            value += match[0];
            state.index += match[0].length;
          }
          push({ type: "text", value });
          continue;
        }
        if (prev && (prev.type === "globstar" || prev.star === true)) {
          prev.type = "star";
          prev.star = true;
          prev.value += value;
          prev.output = star;
          state.backtrack = true;
          state.globstar = true;
          consume(value);
          continue;
        }
        let rest = remaining();
        if (opts.noextglob !== true && /^\([^?]/.test(rest)) {
          extglobOpen("star", value);
          continue;
        }
        if (prev.type === "star") {
          if (opts.noglobstar === true) {
            consume(value);
            continue;
          }
          const prior = prev.prev;
          const before = prior.prev;
          const isStart = prior.type === "slash" || prior.type === "bos";
          const afterStar = before && (before.type === "star" || before.type === "globstar");
          if (opts.bash === true && (!isStart || rest[0] && rest[0] !== "/")) {
            push({ type: "star", value, output: "" });
            continue;
          }
          const isBrace = state.braces > 0 && (prior.type === "comma" || prior.type === "brace");
          const isExtglob = extglobs.length && (prior.type === "pipe" || prior.type === "paren");
          if (!isStart && prior.type !== "paren" && !isBrace && !isExtglob) {
            push({ type: "star", value, output: "" });
            continue;
          }
          while (rest.slice(0, 3) === "/**") {
            const after = input[state.index + 4];
            if (after && after !== "/") {
              break;
            }
            rest = rest.slice(3);
            consume("/**", 3);
          }
          const isEnd = eos() || state.parens > 0 && rest === ")".repeat(state.parens) && !extglobs.some((extglob) => extglob.type === "negate");
          if (prior.type === "bos" && eos()) {
            prev.type = "globstar";
            prev.value += value;
            prev.output = globstar(opts);
            state.output = prev.output;
            state.globstar = true;
            consume(value);
            continue;
          }
          if (prior.type === "slash" && prior.prev.type !== "bos" && !afterStar && isEnd) {
            state.output = state.output.slice(0, -(prior.output + prev.output).length);
            prior.output = `(?:${prior.output}`;
            prev.type = "globstar";
            prev.output = globstar(opts) + (opts.strictSlashes ? ")" : "|$)");
            prev.value += value;
            state.globstar = true;
            state.output += prior.output + prev.output;
            consume(value);
            continue;
          }
          if (prior.type === "slash" && prior.prev.type !== "bos" && rest[0] === "/") {
            const end = rest[1] !== void 0 ? "|$" : "";
            state.output = state.output.slice(0, -(prior.output + prev.output).length);
            prior.output = `(?:${prior.output}`;
            prev.type = "globstar";
            prev.output = `${globstar(opts)}${SLASH_LITERAL}|${SLASH_LITERAL}${end})`;
            prev.value += value;
            state.output += prior.output + prev.output;
            state.globstar = true;
            consume(value + advance());
            push({ type: "slash", value: "/", output: "" });
            continue;
          }
          if (prior.type === "bos" && rest[0] === "/") {
            prev.type = "globstar";
            prev.value += value;
            prev.output = `(?:^|${SLASH_LITERAL}|${globstar(opts)}${SLASH_LITERAL})`;
            state.output = prev.output;
            state.globstar = true;
            consume(value + advance());
            push({ type: "slash", value: "/", output: "" });
            continue;
          }
          state.output = state.output.slice(0, -prev.output.length);
          prev.type = "globstar";
          prev.output = globstar(opts);
          prev.value += value;
          state.output += prev.output;
          state.globstar = true;
          consume(value);
          continue;
        }
        const token = { type: "star", value, output: star };
        if (opts.bash === true) {
          token.output = ".*?";
          if (prev.type === "bos" || prev.type === "slash") {
            token.output = nodot + token.output;
          }
          push(token);
          continue;
        }
        if (prev && (prev.type === "bracket" || prev.type === "paren") && opts.regex === true) {
          token.output = value;
          push(token);
          continue;
        }
        if (state.index === state.start || prev.type === "slash" || prev.type === "dot") {
          if (prev.type === "dot") {
            state.output += NO_DOT_SLASH;
            prev.output += NO_DOT_SLASH;
          } else if (opts.dot === true) {
            state.output += NO_DOTS_SLASH;
            prev.output += NO_DOTS_SLASH;
          } else {
            state.output += nodot;
            prev.output += nodot;
          }
          if (peek() !== "*") {
            state.output += ONE_CHAR;
            prev.output += ONE_CHAR;
          }
        }
        push(token);
      }
      while (state.brackets > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", "]"));
        state.output = utils.escapeLast(state.output, "[");
        decrement("brackets");
      }
      while (state.parens > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", ")"));
        state.output = utils.escapeLast(state.output, "(");
        decrement("parens");
      }
      while (state.braces > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", "}"));
        state.output = utils.escapeLast(state.output, "{");
        decrement("braces");
      }
      if (opts.strictSlashes !== true && (prev.type === "star" || prev.type === "bracket")) {
        push({ type: "maybe_slash", value: "", output: `${SLASH_LITERAL}?` });
      }
      if (state.backtrack === true) {
        state.output = "";
        for (const token of state.tokens) {
          state.output += token.output != null ? token.output : token.value;
          if (token.suffix) {
            state.output += token.suffix;
          }
        }
      }
      return state;
    };
    parse.fastpaths = (input, options) => {
      const opts = { ...options };
      const max = typeof opts.maxLength === "number" ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
      const len = input.length;
      if (len > max) {
        throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
      }
      input = REPLACEMENTS[input] || input;
      const {
        DOT_LITERAL,
        SLASH_LITERAL,
        ONE_CHAR,
        DOTS_SLASH,
        NO_DOT,
        NO_DOTS,
        NO_DOTS_SLASH,
        STAR,
        START_ANCHOR
      } = constants.globChars(opts.windows);
      const nodot = opts.dot ? NO_DOTS : NO_DOT;
      const slashDot = opts.dot ? NO_DOTS_SLASH : NO_DOT;
      const capture = opts.capture ? "" : "?:";
      const state = { negated: false, prefix: "" };
      let star = opts.bash === true ? ".*?" : STAR;
      if (opts.capture) {
        star = `(${star})`;
      }
      const globstar = (opts2) => {
        if (opts2.noglobstar === true) return star;
        return `(${capture}(?:(?!${START_ANCHOR}${opts2.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
      };
      const create = (str) => {
        switch (str) {
          case "*":
            return `${nodot}${ONE_CHAR}${star}`;
          case ".*":
            return `${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "*.*":
            return `${nodot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "*/*":
            return `${nodot}${star}${SLASH_LITERAL}${ONE_CHAR}${slashDot}${star}`;
          case "**":
            return nodot + globstar(opts);
          case "**/*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${ONE_CHAR}${star}`;
          case "**/*.*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "**/.*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${DOT_LITERAL}${ONE_CHAR}${star}`;
          default: {
            const match = /^(.*?)\.(\w+)$/.exec(str);
            if (!match) return;
            const source2 = create(match[1]);
            if (!source2) return;
            return source2 + DOT_LITERAL + match[2];
          }
        }
      };
      const output = utils.removePrefix(input, state);
      let source = create(output);
      if (source && opts.strictSlashes !== true) {
        source += `${SLASH_LITERAL}?`;
      }
      return source;
    };
    module.exports = parse;
  }
});

// node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/lib/picomatch.js
var require_picomatch = __commonJS({
  "node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/lib/picomatch.js"(exports, module) {
    "use strict";
    var scan = require_scan();
    var parse = require_parse();
    var utils = require_utils();
    var constants = require_constants();
    var isObject = (val) => val && typeof val === "object" && !Array.isArray(val);
    var picomatch2 = (glob2, options, returnState = false) => {
      if (Array.isArray(glob2)) {
        const fns = glob2.map((input) => picomatch2(input, options, returnState));
        const arrayMatcher = (str) => {
          for (const isMatch of fns) {
            const state2 = isMatch(str);
            if (state2) return state2;
          }
          return false;
        };
        return arrayMatcher;
      }
      const isState = isObject(glob2) && glob2.tokens && glob2.input;
      if (glob2 === "" || typeof glob2 !== "string" && !isState) {
        throw new TypeError("Expected pattern to be a non-empty string");
      }
      const opts = options || {};
      const posix2 = opts.windows;
      const regex2 = isState ? picomatch2.compileRe(glob2, options) : picomatch2.makeRe(glob2, options, false, true);
      const state = regex2.state;
      delete regex2.state;
      let isIgnored = () => false;
      if (opts.ignore) {
        const ignoreOpts = { ...options, ignore: null, onMatch: null, onResult: null };
        isIgnored = picomatch2(opts.ignore, ignoreOpts, returnState);
      }
      const matcher = (input, returnObject = false) => {
        const { isMatch, match, output } = picomatch2.test(input, regex2, options, { glob: glob2, posix: posix2 });
        const result = { glob: glob2, state, regex: regex2, posix: posix2, input, output, match, isMatch };
        if (typeof opts.onResult === "function") {
          opts.onResult(result);
        }
        if (isMatch === false) {
          result.isMatch = false;
          return returnObject ? result : false;
        }
        if (isIgnored(input)) {
          if (typeof opts.onIgnore === "function") {
            opts.onIgnore(result);
          }
          result.isMatch = false;
          return returnObject ? result : false;
        }
        if (typeof opts.onMatch === "function") {
          opts.onMatch(result);
        }
        return returnObject ? result : true;
      };
      if (returnState) {
        matcher.state = state;
      }
      return matcher;
    };
    picomatch2.test = (input, regex2, options, { glob: glob2, posix: posix2 } = {}) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected input to be a string");
      }
      if (input === "") {
        return { isMatch: false, output: "" };
      }
      const opts = options || {};
      const format = opts.format || (posix2 ? utils.toPosixSlashes : null);
      let match = input === glob2;
      let output = match && format ? format(input) : input;
      if (match === false) {
        output = format ? format(input) : input;
        match = output === glob2;
      }
      if (match === false || opts.capture === true) {
        if (opts.matchBase === true || opts.basename === true) {
          match = picomatch2.matchBase(input, regex2, options, posix2);
        } else {
          match = regex2.exec(output);
        }
      }
      return { isMatch: Boolean(match), match, output };
    };
    picomatch2.matchBase = (input, glob2, options, posix2 = options && options.windows) => {
      const regex2 = glob2 instanceof RegExp ? glob2 : picomatch2.makeRe(glob2, options);
      return regex2.test(utils.basename(input, { windows: posix2 }));
    };
    picomatch2.isMatch = (str, patterns, options) => picomatch2(patterns, options)(str);
    picomatch2.parse = (pattern, options) => {
      if (Array.isArray(pattern)) return pattern.map((p) => picomatch2.parse(p, options));
      return parse(pattern, { ...options, fastpaths: false });
    };
    picomatch2.scan = (input, options) => scan(input, options);
    picomatch2.compileRe = (state, options, returnOutput = false, returnState = false) => {
      if (returnOutput === true) {
        return state.output;
      }
      const opts = options || {};
      const prepend = opts.contains ? "" : "^";
      const append = opts.contains ? "" : "$";
      let source = `${prepend}(?:${state.output})${append}`;
      if (state && state.negated === true) {
        source = `^(?!${source}).*$`;
      }
      const regex2 = picomatch2.toRegex(source, options);
      if (returnState === true) {
        regex2.state = state;
      }
      return regex2;
    };
    picomatch2.makeRe = (input, options = {}, returnOutput = false, returnState = false) => {
      if (!input || typeof input !== "string") {
        throw new TypeError("Expected a non-empty string");
      }
      let parsed = { negated: false, fastpaths: true };
      if (options.fastpaths !== false && (input[0] === "." || input[0] === "*")) {
        parsed.output = parse.fastpaths(input, options);
      }
      if (!parsed.output) {
        parsed = parse(input, options);
      }
      return picomatch2.compileRe(parsed, options, returnOutput, returnState);
    };
    picomatch2.toRegex = (source, options) => {
      try {
        const opts = options || {};
        return new RegExp(source, opts.flags || (opts.nocase ? "i" : ""));
      } catch (err) {
        if (options && options.debug === true) throw err;
        return /$^/;
      }
    };
    picomatch2.constants = constants;
    module.exports = picomatch2;
  }
});

// node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/index.js
var require_picomatch2 = __commonJS({
  "node_modules/.pnpm/picomatch@4.0.7/node_modules/picomatch/index.js"(exports, module) {
    "use strict";
    var pico = require_picomatch();
    var utils = require_utils();
    function picomatch2(glob2, options, returnState = false) {
      if (options && (options.windows === null || options.windows === void 0)) {
        options = { ...options, windows: utils.isWindows() };
      }
      return pico(glob2, options, returnState);
    }
    Object.assign(picomatch2, pico);
    module.exports = picomatch2;
  }
});

// packages/core/src/io.ts
import { randomBytes } from "node:crypto";
import { mkdir, readFile, realpath, rename, stat, writeFile, rm } from "node:fs/promises";
import { dirname as dirname2, isAbsolute, relative as relative2, resolve as resolve2, sep as sep2 } from "node:path";

// node_modules/.pnpm/tinyglobby@0.2.15/node_modules/tinyglobby/dist/index.mjs
import nativeFs2 from "fs";
import path, { posix } from "path";
import { fileURLToPath } from "url";

// node_modules/.pnpm/fdir@6.5.0_picomatch@4.0.7/node_modules/fdir/dist/index.mjs
import { createRequire } from "module";
import { basename, dirname, normalize, relative, resolve, sep } from "path";
import * as nativeFs from "fs";
var __require = /* @__PURE__ */ createRequire(import.meta.url);
function cleanPath(path2) {
  let normalized = normalize(path2);
  if (normalized.length > 1 && normalized[normalized.length - 1] === sep) normalized = normalized.substring(0, normalized.length - 1);
  return normalized;
}
var SLASHES_REGEX = /[\\/]/g;
function convertSlashes(path2, separator) {
  return path2.replace(SLASHES_REGEX, separator);
}
var WINDOWS_ROOT_DIR_REGEX = /^[a-z]:[\\/]$/i;
function isRootDirectory(path2) {
  return path2 === "/" || WINDOWS_ROOT_DIR_REGEX.test(path2);
}
function normalizePath(path2, options) {
  const { resolvePaths, normalizePath: normalizePath$1, pathSeparator } = options;
  const pathNeedsCleaning = process.platform === "win32" && path2.includes("/") || path2.startsWith(".");
  if (resolvePaths) path2 = resolve(path2);
  if (normalizePath$1 || pathNeedsCleaning) path2 = cleanPath(path2);
  if (path2 === ".") return "";
  const needsSeperator = path2[path2.length - 1] !== pathSeparator;
  return convertSlashes(needsSeperator ? path2 + pathSeparator : path2, pathSeparator);
}
function joinPathWithBasePath(filename, directoryPath) {
  return directoryPath + filename;
}
function joinPathWithRelativePath(root, options) {
  return function(filename, directoryPath) {
    const sameRoot = directoryPath.startsWith(root);
    if (sameRoot) return directoryPath.slice(root.length) + filename;
    else return convertSlashes(relative(root, directoryPath), options.pathSeparator) + options.pathSeparator + filename;
  };
}
function joinPath(filename) {
  return filename;
}
function joinDirectoryPath(filename, directoryPath, separator) {
  return directoryPath + filename + separator;
}
function build$7(root, options) {
  const { relativePaths, includeBasePath } = options;
  return relativePaths && root ? joinPathWithRelativePath(root, options) : includeBasePath ? joinPathWithBasePath : joinPath;
}
function pushDirectoryWithRelativePath(root) {
  return function(directoryPath, paths) {
    paths.push(directoryPath.substring(root.length) || ".");
  };
}
function pushDirectoryFilterWithRelativePath(root) {
  return function(directoryPath, paths, filters) {
    const relativePath = directoryPath.substring(root.length) || ".";
    if (filters.every((filter) => filter(relativePath, true))) paths.push(relativePath);
  };
}
var pushDirectory = (directoryPath, paths) => {
  paths.push(directoryPath || ".");
};
var pushDirectoryFilter = (directoryPath, paths, filters) => {
  const path2 = directoryPath || ".";
  if (filters.every((filter) => filter(path2, true))) paths.push(path2);
};
var empty$2 = () => {
};
function build$6(root, options) {
  const { includeDirs, filters, relativePaths } = options;
  if (!includeDirs) return empty$2;
  if (relativePaths) return filters && filters.length ? pushDirectoryFilterWithRelativePath(root) : pushDirectoryWithRelativePath(root);
  return filters && filters.length ? pushDirectoryFilter : pushDirectory;
}
var pushFileFilterAndCount = (filename, _paths, counts, filters) => {
  if (filters.every((filter) => filter(filename, false))) counts.files++;
};
var pushFileFilter = (filename, paths, _counts, filters) => {
  if (filters.every((filter) => filter(filename, false))) paths.push(filename);
};
var pushFileCount = (_filename, _paths, counts, _filters) => {
  counts.files++;
};
var pushFile = (filename, paths) => {
  paths.push(filename);
};
var empty$1 = () => {
};
function build$5(options) {
  const { excludeFiles, filters, onlyCounts } = options;
  if (excludeFiles) return empty$1;
  if (filters && filters.length) return onlyCounts ? pushFileFilterAndCount : pushFileFilter;
  else if (onlyCounts) return pushFileCount;
  else return pushFile;
}
var getArray = (paths) => {
  return paths;
};
var getArrayGroup = () => {
  return [""].slice(0, 0);
};
function build$4(options) {
  return options.group ? getArrayGroup : getArray;
}
var groupFiles = (groups2, directory, files) => {
  groups2.push({
    directory,
    files,
    dir: directory
  });
};
var empty = () => {
};
function build$3(options) {
  return options.group ? groupFiles : empty;
}
var resolveSymlinksAsync = function(path2, state, callback$1) {
  const { queue, fs, options: { suppressErrors } } = state;
  queue.enqueue();
  fs.realpath(path2, (error2, resolvedPath) => {
    if (error2) return queue.dequeue(suppressErrors ? null : error2, state);
    fs.stat(resolvedPath, (error$1, stat2) => {
      if (error$1) return queue.dequeue(suppressErrors ? null : error$1, state);
      if (stat2.isDirectory() && isRecursive(path2, resolvedPath, state)) return queue.dequeue(null, state);
      callback$1(stat2, resolvedPath);
      queue.dequeue(null, state);
    });
  });
};
var resolveSymlinks = function(path2, state, callback$1) {
  const { queue, fs, options: { suppressErrors } } = state;
  queue.enqueue();
  try {
    const resolvedPath = fs.realpathSync(path2);
    const stat2 = fs.statSync(resolvedPath);
    if (stat2.isDirectory() && isRecursive(path2, resolvedPath, state)) return;
    callback$1(stat2, resolvedPath);
  } catch (e) {
    if (!suppressErrors) throw e;
  }
};
function build$2(options, isSynchronous) {
  if (!options.resolveSymlinks || options.excludeSymlinks) return null;
  return isSynchronous ? resolveSymlinks : resolveSymlinksAsync;
}
function isRecursive(path2, resolved, state) {
  if (state.options.useRealPaths) return isRecursiveUsingRealPaths(resolved, state);
  let parent = dirname(path2);
  let depth = 1;
  while (parent !== state.root && depth < 2) {
    const resolvedPath = state.symlinks.get(parent);
    const isSameRoot = !!resolvedPath && (resolvedPath === resolved || resolvedPath.startsWith(resolved) || resolved.startsWith(resolvedPath));
    if (isSameRoot) depth++;
    else parent = dirname(parent);
  }
  state.symlinks.set(path2, resolved);
  return depth > 1;
}
function isRecursiveUsingRealPaths(resolved, state) {
  return state.visited.includes(resolved + state.options.pathSeparator);
}
var onlyCountsSync = (state) => {
  return state.counts;
};
var groupsSync = (state) => {
  return state.groups;
};
var defaultSync = (state) => {
  return state.paths;
};
var limitFilesSync = (state) => {
  return state.paths.slice(0, state.options.maxFiles);
};
var onlyCountsAsync = (state, error2, callback$1) => {
  report(error2, callback$1, state.counts, state.options.suppressErrors);
  return null;
};
var defaultAsync = (state, error2, callback$1) => {
  report(error2, callback$1, state.paths, state.options.suppressErrors);
  return null;
};
var limitFilesAsync = (state, error2, callback$1) => {
  report(error2, callback$1, state.paths.slice(0, state.options.maxFiles), state.options.suppressErrors);
  return null;
};
var groupsAsync = (state, error2, callback$1) => {
  report(error2, callback$1, state.groups, state.options.suppressErrors);
  return null;
};
function report(error2, callback$1, output, suppressErrors) {
  if (error2 && !suppressErrors) callback$1(error2, output);
  else callback$1(null, output);
}
function build$1(options, isSynchronous) {
  const { onlyCounts, group, maxFiles } = options;
  if (onlyCounts) return isSynchronous ? onlyCountsSync : onlyCountsAsync;
  else if (group) return isSynchronous ? groupsSync : groupsAsync;
  else if (maxFiles) return isSynchronous ? limitFilesSync : limitFilesAsync;
  else return isSynchronous ? defaultSync : defaultAsync;
}
var readdirOpts = { withFileTypes: true };
var walkAsync = (state, crawlPath, directoryPath, currentDepth, callback$1) => {
  state.queue.enqueue();
  if (currentDepth < 0) return state.queue.dequeue(null, state);
  const { fs } = state;
  state.visited.push(crawlPath);
  state.counts.directories++;
  fs.readdir(crawlPath || ".", readdirOpts, (error2, entries = []) => {
    callback$1(entries, directoryPath, currentDepth);
    state.queue.dequeue(state.options.suppressErrors ? null : error2, state);
  });
};
var walkSync = (state, crawlPath, directoryPath, currentDepth, callback$1) => {
  const { fs } = state;
  if (currentDepth < 0) return;
  state.visited.push(crawlPath);
  state.counts.directories++;
  let entries = [];
  try {
    entries = fs.readdirSync(crawlPath || ".", readdirOpts);
  } catch (e) {
    if (!state.options.suppressErrors) throw e;
  }
  callback$1(entries, directoryPath, currentDepth);
};
function build(isSynchronous) {
  return isSynchronous ? walkSync : walkAsync;
}
var Queue = class {
  count = 0;
  constructor(onQueueEmpty) {
    this.onQueueEmpty = onQueueEmpty;
  }
  enqueue() {
    this.count++;
    return this.count;
  }
  dequeue(error2, output) {
    if (this.onQueueEmpty && (--this.count <= 0 || error2)) {
      this.onQueueEmpty(error2, output);
      if (error2) {
        output.controller.abort();
        this.onQueueEmpty = void 0;
      }
    }
  }
};
var Counter = class {
  _files = 0;
  _directories = 0;
  set files(num) {
    this._files = num;
  }
  get files() {
    return this._files;
  }
  set directories(num) {
    this._directories = num;
  }
  get directories() {
    return this._directories;
  }
  /**
  * @deprecated use `directories` instead
  */
  /* c8 ignore next 3 */
  get dirs() {
    return this._directories;
  }
};
var Aborter = class {
  aborted = false;
  abort() {
    this.aborted = true;
  }
};
var Walker = class {
  root;
  isSynchronous;
  state;
  joinPath;
  pushDirectory;
  pushFile;
  getArray;
  groupFiles;
  resolveSymlink;
  walkDirectory;
  callbackInvoker;
  constructor(root, options, callback$1) {
    this.isSynchronous = !callback$1;
    this.callbackInvoker = build$1(options, this.isSynchronous);
    this.root = normalizePath(root, options);
    this.state = {
      root: isRootDirectory(this.root) ? this.root : this.root.slice(0, -1),
      paths: [""].slice(0, 0),
      groups: [],
      counts: new Counter(),
      options,
      queue: new Queue((error2, state) => this.callbackInvoker(state, error2, callback$1)),
      symlinks: /* @__PURE__ */ new Map(),
      visited: [""].slice(0, 0),
      controller: new Aborter(),
      fs: options.fs || nativeFs
    };
    this.joinPath = build$7(this.root, options);
    this.pushDirectory = build$6(this.root, options);
    this.pushFile = build$5(options);
    this.getArray = build$4(options);
    this.groupFiles = build$3(options);
    this.resolveSymlink = build$2(options, this.isSynchronous);
    this.walkDirectory = build(this.isSynchronous);
  }
  start() {
    this.pushDirectory(this.root, this.state.paths, this.state.options.filters);
    this.walkDirectory(this.state, this.root, this.root, this.state.options.maxDepth, this.walk);
    return this.isSynchronous ? this.callbackInvoker(this.state, null) : null;
  }
  walk = (entries, directoryPath, depth) => {
    const { paths, options: { filters, resolveSymlinks: resolveSymlinks$1, excludeSymlinks, exclude, maxFiles, signal, useRealPaths, pathSeparator }, controller } = this.state;
    if (controller.aborted || signal && signal.aborted || maxFiles && paths.length > maxFiles) return;
    const files = this.getArray(this.state.paths);
    for (let i = 0; i < entries.length; ++i) {
      const entry = entries[i];
      if (entry.isFile() || entry.isSymbolicLink() && !resolveSymlinks$1 && !excludeSymlinks) {
        const filename = this.joinPath(entry.name, directoryPath);
        this.pushFile(filename, files, this.state.counts, filters);
      } else if (entry.isDirectory()) {
        let path2 = joinDirectoryPath(entry.name, directoryPath, this.state.options.pathSeparator);
        if (exclude && exclude(entry.name, path2)) continue;
        this.pushDirectory(path2, paths, filters);
        this.walkDirectory(this.state, path2, path2, depth - 1, this.walk);
      } else if (this.resolveSymlink && entry.isSymbolicLink()) {
        let path2 = joinPathWithBasePath(entry.name, directoryPath);
        this.resolveSymlink(path2, this.state, (stat2, resolvedPath) => {
          if (stat2.isDirectory()) {
            resolvedPath = normalizePath(resolvedPath, this.state.options);
            if (exclude && exclude(entry.name, useRealPaths ? resolvedPath : path2 + pathSeparator)) return;
            this.walkDirectory(this.state, resolvedPath, useRealPaths ? resolvedPath : path2 + pathSeparator, depth - 1, this.walk);
          } else {
            resolvedPath = useRealPaths ? resolvedPath : path2;
            const filename = basename(resolvedPath);
            const directoryPath$1 = normalizePath(dirname(resolvedPath), this.state.options);
            resolvedPath = this.joinPath(filename, directoryPath$1);
            this.pushFile(resolvedPath, files, this.state.counts, filters);
          }
        });
      }
    }
    this.groupFiles(this.state.groups, directoryPath, files);
  };
};
function promise(root, options) {
  return new Promise((resolve$1, reject) => {
    callback(root, options, (err, output) => {
      if (err) return reject(err);
      resolve$1(output);
    });
  });
}
function callback(root, options, callback$1) {
  let walker = new Walker(root, options, callback$1);
  walker.start();
}
function sync(root, options) {
  const walker = new Walker(root, options);
  return walker.start();
}
var APIBuilder = class {
  constructor(root, options) {
    this.root = root;
    this.options = options;
  }
  withPromise() {
    return promise(this.root, this.options);
  }
  withCallback(cb) {
    callback(this.root, this.options, cb);
  }
  sync() {
    return sync(this.root, this.options);
  }
};
var pm = null;
try {
  __require.resolve("picomatch");
  pm = __require("picomatch");
} catch {
}
var Builder = class {
  globCache = {};
  options = {
    maxDepth: Infinity,
    suppressErrors: true,
    pathSeparator: sep,
    filters: []
  };
  globFunction;
  constructor(options) {
    this.options = {
      ...this.options,
      ...options
    };
    this.globFunction = this.options.globFunction;
  }
  group() {
    this.options.group = true;
    return this;
  }
  withPathSeparator(separator) {
    this.options.pathSeparator = separator;
    return this;
  }
  withBasePath() {
    this.options.includeBasePath = true;
    return this;
  }
  withRelativePaths() {
    this.options.relativePaths = true;
    return this;
  }
  withDirs() {
    this.options.includeDirs = true;
    return this;
  }
  withMaxDepth(depth) {
    this.options.maxDepth = depth;
    return this;
  }
  withMaxFiles(limit) {
    this.options.maxFiles = limit;
    return this;
  }
  withFullPaths() {
    this.options.resolvePaths = true;
    this.options.includeBasePath = true;
    return this;
  }
  withErrors() {
    this.options.suppressErrors = false;
    return this;
  }
  withSymlinks({ resolvePaths = true } = {}) {
    this.options.resolveSymlinks = true;
    this.options.useRealPaths = resolvePaths;
    return this.withFullPaths();
  }
  withAbortSignal(signal) {
    this.options.signal = signal;
    return this;
  }
  normalize() {
    this.options.normalizePath = true;
    return this;
  }
  filter(predicate) {
    this.options.filters.push(predicate);
    return this;
  }
  onlyDirs() {
    this.options.excludeFiles = true;
    this.options.includeDirs = true;
    return this;
  }
  exclude(predicate) {
    this.options.exclude = predicate;
    return this;
  }
  onlyCounts() {
    this.options.onlyCounts = true;
    return this;
  }
  crawl(root) {
    return new APIBuilder(root || ".", this.options);
  }
  withGlobFunction(fn) {
    this.globFunction = fn;
    return this;
  }
  /**
  * @deprecated Pass options using the constructor instead:
  * ```ts
  * new fdir(options).crawl("/path/to/root");
  * ```
  * This method will be removed in v7.0
  */
  /* c8 ignore next 4 */
  crawlWithOptions(root, options) {
    this.options = {
      ...this.options,
      ...options
    };
    return new APIBuilder(root || ".", this.options);
  }
  glob(...patterns) {
    if (this.globFunction) return this.globWithOptions(patterns);
    return this.globWithOptions(patterns, ...[{ dot: true }]);
  }
  globWithOptions(patterns, ...options) {
    const globFn = this.globFunction || pm;
    if (!globFn) throw new Error("Please specify a glob function to use glob matching.");
    var isMatch = this.globCache[patterns.join("\0")];
    if (!isMatch) {
      isMatch = globFn(patterns, ...options);
      this.globCache[patterns.join("\0")] = isMatch;
    }
    this.options.filters.push((path2) => isMatch(path2));
    return this;
  }
};

// node_modules/.pnpm/tinyglobby@0.2.15/node_modules/tinyglobby/dist/index.mjs
var import_picomatch = __toESM(require_picomatch2(), 1);
var isReadonlyArray = Array.isArray;
var isWin = process.platform === "win32";
var ONLY_PARENT_DIRECTORIES = /^(\/?\.\.)+$/;
function getPartialMatcher(patterns, options = {}) {
  const patternsCount = patterns.length;
  const patternsParts = Array(patternsCount);
  const matchers = Array(patternsCount);
  const globstarEnabled = !options.noglobstar;
  for (let i = 0; i < patternsCount; i++) {
    const parts = splitPattern(patterns[i]);
    patternsParts[i] = parts;
    const partsCount = parts.length;
    const partMatchers = Array(partsCount);
    for (let j = 0; j < partsCount; j++) partMatchers[j] = (0, import_picomatch.default)(parts[j], options);
    matchers[i] = partMatchers;
  }
  return (input) => {
    const inputParts = input.split("/");
    if (inputParts[0] === ".." && ONLY_PARENT_DIRECTORIES.test(input)) return true;
    for (let i = 0; i < patterns.length; i++) {
      const patternParts = patternsParts[i];
      const matcher = matchers[i];
      const inputPatternCount = inputParts.length;
      const minParts = Math.min(inputPatternCount, patternParts.length);
      let j = 0;
      while (j < minParts) {
        const part = patternParts[j];
        if (part.includes("/")) return true;
        const match = matcher[j](inputParts[j]);
        if (!match) break;
        if (globstarEnabled && part === "**") return true;
        j++;
      }
      if (j === inputPatternCount) return true;
    }
    return false;
  };
}
var WIN32_ROOT_DIR = /^[A-Z]:\/$/i;
var isRoot = isWin ? (p) => WIN32_ROOT_DIR.test(p) : (p) => p === "/";
function buildFormat(cwd, root, absolute) {
  if (cwd === root || root.startsWith(`${cwd}/`)) {
    if (absolute) {
      const start = isRoot(cwd) ? cwd.length : cwd.length + 1;
      return (p, isDir) => p.slice(start, isDir ? -1 : void 0) || ".";
    }
    const prefix = root.slice(cwd.length + 1);
    if (prefix) return (p, isDir) => {
      if (p === ".") return prefix;
      const result = `${prefix}/${p}`;
      return isDir ? result.slice(0, -1) : result;
    };
    return (p, isDir) => isDir && p !== "." ? p.slice(0, -1) : p;
  }
  if (absolute) return (p) => posix.relative(cwd, p) || ".";
  return (p) => posix.relative(cwd, `${root}/${p}`) || ".";
}
function buildRelative(cwd, root) {
  if (root.startsWith(`${cwd}/`)) {
    const prefix = root.slice(cwd.length + 1);
    return (p) => `${prefix}/${p}`;
  }
  return (p) => {
    const result = posix.relative(cwd, `${root}/${p}`);
    if (p.endsWith("/") && result !== "") return `${result}/`;
    return result || ".";
  };
}
var splitPatternOptions = { parts: true };
function splitPattern(path$1) {
  var _result$parts;
  const result = import_picomatch.default.scan(path$1, splitPatternOptions);
  return ((_result$parts = result.parts) === null || _result$parts === void 0 ? void 0 : _result$parts.length) ? result.parts : [path$1];
}
var POSIX_UNESCAPED_GLOB_SYMBOLS = /(?<!\\)([()[\]{}*?|]|^!|[!+@](?=\()|\\(?![()[\]{}!*+?@|]))/g;
var WIN32_UNESCAPED_GLOB_SYMBOLS = /(?<!\\)([()[\]{}]|^!|[!+@](?=\())/g;
var escapePosixPath = (path$1) => path$1.replace(POSIX_UNESCAPED_GLOB_SYMBOLS, "\\$&");
var escapeWin32Path = (path$1) => path$1.replace(WIN32_UNESCAPED_GLOB_SYMBOLS, "\\$&");
var escapePath = isWin ? escapeWin32Path : escapePosixPath;
function isDynamicPattern(pattern, options) {
  if ((options === null || options === void 0 ? void 0 : options.caseSensitiveMatch) === false) return true;
  const scan = import_picomatch.default.scan(pattern);
  return scan.isGlob || scan.negated;
}
function log(...tasks) {
  console.log(`[tinyglobby ${(/* @__PURE__ */ new Date()).toLocaleTimeString("es")}]`, ...tasks);
}
var PARENT_DIRECTORY = /^(\/?\.\.)+/;
var ESCAPING_BACKSLASHES = /\\(?=[()[\]{}!*+?@|])/g;
var BACKSLASHES = /\\/g;
function normalizePattern(pattern, expandDirectories, cwd, props, isIgnore) {
  let result = pattern;
  if (pattern.endsWith("/")) result = pattern.slice(0, -1);
  if (!result.endsWith("*") && expandDirectories) result += "/**";
  const escapedCwd = escapePath(cwd);
  if (path.isAbsolute(result.replace(ESCAPING_BACKSLASHES, ""))) result = posix.relative(escapedCwd, result);
  else result = posix.normalize(result);
  const parentDirectoryMatch = PARENT_DIRECTORY.exec(result);
  const parts = splitPattern(result);
  if (parentDirectoryMatch === null || parentDirectoryMatch === void 0 ? void 0 : parentDirectoryMatch[0]) {
    const n = (parentDirectoryMatch[0].length + 1) / 3;
    let i = 0;
    const cwdParts = escapedCwd.split("/");
    while (i < n && parts[i + n] === cwdParts[cwdParts.length + i - n]) {
      result = result.slice(0, (n - i - 1) * 3) + result.slice((n - i) * 3 + parts[i + n].length + 1) || ".";
      i++;
    }
    const potentialRoot = posix.join(cwd, parentDirectoryMatch[0].slice(i * 3));
    if (!potentialRoot.startsWith(".") && props.root.length > potentialRoot.length) {
      props.root = potentialRoot;
      props.depthOffset = -n + i;
    }
  }
  if (!isIgnore && props.depthOffset >= 0) {
    var _props$commonPath;
    (_props$commonPath = props.commonPath) !== null && _props$commonPath !== void 0 || (props.commonPath = parts);
    const newCommonPath = [];
    const length = Math.min(props.commonPath.length, parts.length);
    for (let i = 0; i < length; i++) {
      const part = parts[i];
      if (part === "**" && !parts[i + 1]) {
        newCommonPath.pop();
        break;
      }
      if (part !== props.commonPath[i] || isDynamicPattern(part) || i === parts.length - 1) break;
      newCommonPath.push(part);
    }
    props.depthOffset = newCommonPath.length;
    props.commonPath = newCommonPath;
    props.root = newCommonPath.length > 0 ? posix.join(cwd, ...newCommonPath) : cwd;
  }
  return result;
}
function processPatterns({ patterns = ["**/*"], ignore = [], expandDirectories = true }, cwd, props) {
  if (typeof patterns === "string") patterns = [patterns];
  if (typeof ignore === "string") ignore = [ignore];
  const matchPatterns = [];
  const ignorePatterns = [];
  for (const pattern of ignore) {
    if (!pattern) continue;
    if (pattern[0] !== "!" || pattern[1] === "(") ignorePatterns.push(normalizePattern(pattern, expandDirectories, cwd, props, true));
  }
  for (const pattern of patterns) {
    if (!pattern) continue;
    if (pattern[0] !== "!" || pattern[1] === "(") matchPatterns.push(normalizePattern(pattern, expandDirectories, cwd, props, false));
    else if (pattern[1] !== "!" || pattern[2] === "(") ignorePatterns.push(normalizePattern(pattern.slice(1), expandDirectories, cwd, props, true));
  }
  return {
    match: matchPatterns,
    ignore: ignorePatterns
  };
}
function formatPaths(paths, relative3) {
  for (let i = paths.length - 1; i >= 0; i--) {
    const path$1 = paths[i];
    paths[i] = relative3(path$1);
  }
  return paths;
}
function normalizeCwd(cwd) {
  if (!cwd) return process.cwd().replace(BACKSLASHES, "/");
  if (cwd instanceof URL) return fileURLToPath(cwd).replace(BACKSLASHES, "/");
  return path.resolve(cwd).replace(BACKSLASHES, "/");
}
function getCrawler(patterns, inputOptions = {}) {
  const options = process.env.TINYGLOBBY_DEBUG ? {
    ...inputOptions,
    debug: true
  } : inputOptions;
  const cwd = normalizeCwd(options.cwd);
  if (options.debug) log("globbing with:", {
    patterns,
    options,
    cwd
  });
  if (Array.isArray(patterns) && patterns.length === 0) return [{
    sync: () => [],
    withPromise: async () => []
  }, false];
  const props = {
    root: cwd,
    commonPath: null,
    depthOffset: 0
  };
  const processed = processPatterns({
    ...options,
    patterns
  }, cwd, props);
  if (options.debug) log("internal processing patterns:", processed);
  const matchOptions = {
    dot: options.dot,
    nobrace: options.braceExpansion === false,
    nocase: options.caseSensitiveMatch === false,
    noextglob: options.extglob === false,
    noglobstar: options.globstar === false,
    posix: true
  };
  const matcher = (0, import_picomatch.default)(processed.match, {
    ...matchOptions,
    ignore: processed.ignore
  });
  const ignore = (0, import_picomatch.default)(processed.ignore, matchOptions);
  const partialMatcher = getPartialMatcher(processed.match, matchOptions);
  const format = buildFormat(cwd, props.root, options.absolute);
  const formatExclude = options.absolute ? format : buildFormat(cwd, props.root, true);
  const fdirOptions = {
    filters: [options.debug ? (p, isDirectory) => {
      const path$1 = format(p, isDirectory);
      const matches = matcher(path$1);
      if (matches) log(`matched ${path$1}`);
      return matches;
    } : (p, isDirectory) => matcher(format(p, isDirectory))],
    exclude: options.debug ? (_, p) => {
      const relativePath = formatExclude(p, true);
      const skipped = relativePath !== "." && !partialMatcher(relativePath) || ignore(relativePath);
      if (skipped) log(`skipped ${p}`);
      else log(`crawling ${p}`);
      return skipped;
    } : (_, p) => {
      const relativePath = formatExclude(p, true);
      return relativePath !== "." && !partialMatcher(relativePath) || ignore(relativePath);
    },
    fs: options.fs ? {
      readdir: options.fs.readdir || nativeFs2.readdir,
      readdirSync: options.fs.readdirSync || nativeFs2.readdirSync,
      realpath: options.fs.realpath || nativeFs2.realpath,
      realpathSync: options.fs.realpathSync || nativeFs2.realpathSync,
      stat: options.fs.stat || nativeFs2.stat,
      statSync: options.fs.statSync || nativeFs2.statSync
    } : void 0,
    pathSeparator: "/",
    relativePaths: true,
    resolveSymlinks: true,
    signal: options.signal
  };
  if (options.deep !== void 0) fdirOptions.maxDepth = Math.round(options.deep - props.depthOffset);
  if (options.absolute) {
    fdirOptions.relativePaths = false;
    fdirOptions.resolvePaths = true;
    fdirOptions.includeBasePath = true;
  }
  if (options.followSymbolicLinks === false) {
    fdirOptions.resolveSymlinks = false;
    fdirOptions.excludeSymlinks = true;
  }
  if (options.onlyDirectories) {
    fdirOptions.excludeFiles = true;
    fdirOptions.includeDirs = true;
  } else if (options.onlyFiles === false) fdirOptions.includeDirs = true;
  props.root = props.root.replace(BACKSLASHES, "");
  const root = props.root;
  if (options.debug) log("internal properties:", props);
  const relative3 = cwd !== root && !options.absolute && buildRelative(cwd, props.root);
  return [new Builder(fdirOptions).crawl(root), relative3];
}
async function glob(patternsOrOptions, options) {
  if (patternsOrOptions && (options === null || options === void 0 ? void 0 : options.patterns)) throw new Error("Cannot pass patterns as both an argument and an option");
  const isModern = isReadonlyArray(patternsOrOptions) || typeof patternsOrOptions === "string";
  const opts = isModern ? options : patternsOrOptions;
  const patterns = isModern ? patternsOrOptions : patternsOrOptions.patterns;
  const [crawler, relative3] = getCrawler(patterns, opts);
  if (!relative3) return crawler.withPromise();
  return formatPaths(await crawler.withPromise(), relative3);
}

// packages/core/src/io.ts
async function writeFileAtomic(path2, data) {
  await mkdir(dirname2(path2), { recursive: true });
  const tmp = `${path2}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path2);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
function nodeFileSystem(cwd = process.cwd()) {
  const at = (path2) => resolve2(cwd, path2);
  return {
    async size(path2) {
      try {
        const s = await stat(at(path2));
        return s.isFile() ? s.size : void 0;
      } catch {
        return void 0;
      }
    },
    readFile: (path2) => readFile(at(path2)),
    writeFileAtomic: (relPath, data) => writeFileAtomic(at(relPath), data),
    glob: (pattern) => glob(pattern, { cwd, absolute: false, onlyFiles: true, expandDirectories: false }),
    async confine(path2) {
      try {
        const [root, real] = await Promise.all([realpath(cwd), realpath(at(path2))]);
        const rel = relative2(root, real);
        if (rel === "" || rel === ".." || rel.startsWith(`..${sep2}`) || isAbsolute(rel)) return void 0;
        return rel.split(sep2).join("/");
      } catch {
        return void 0;
      }
    }
  };
}
var systemClock = { now: () => /* @__PURE__ */ new Date() };

// packages/core/src/schemas/generated/public-good-trusted-root.ts
var PUBLIC_GOOD_TRUSTED_ROOT = {
  "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
  "tlogs": [
    {
      "baseUrl": "https://rekor.sigstore.dev",
      "hashAlgorithm": "SHA2_256",
      "publicKey": {
        "rawBytes": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==",
        "keyDetails": "PKIX_ECDSA_P256_SHA_256",
        "validFor": {
          "start": "2021-01-12T11:53:27Z"
        }
      },
      "logId": {
        "keyId": "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="
      }
    },
    {
      "baseUrl": "https://log2025-1.rekor.sigstore.dev",
      "hashAlgorithm": "SHA2_256",
      "publicKey": {
        "rawBytes": "MCowBQYDK2VwAyEAt8rlp1knGwjfbcXAYPYAkn0XiLz1x8O4t0YkEhie244=",
        "keyDetails": "PKIX_ED25519",
        "validFor": {
          "start": "2025-09-23T00:00:00Z"
        }
      },
      "logId": {
        "keyId": "zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A="
      }
    }
  ],
  "certificateAuthorities": [
    {
      "subject": {
        "organization": "sigstore.dev",
        "commonName": "sigstore"
      },
      "uri": "https://fulcio.sigstore.dev",
      "certChain": {
        "certificates": [
          {
            "rawBytes": "MIIB+DCCAX6gAwIBAgITNVkDZoCiofPDsy7dfm6geLbuhzAKBggqhkjOPQQDAzAqMRUwEwYDVQQKEwxzaWdzdG9yZS5kZXYxETAPBgNVBAMTCHNpZ3N0b3JlMB4XDTIxMDMwNzAzMjAyOVoXDTMxMDIyMzAzMjAyOVowKjEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MREwDwYDVQQDEwhzaWdzdG9yZTB2MBAGByqGSM49AgEGBSuBBAAiA2IABLSyA7Ii5k+pNO8ZEWY0ylemWDowOkNa3kL+GZE5Z5GWehL9/A9bRNA3RbrsZ5i0JcastaRL7Sp5fp/jD5dxqc/UdTVnlvS16an+2Yfswe/QuLolRUCrcOE2+2iA5+tzd6NmMGQwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwHQYDVR0OBBYEFMjFHQBBmiQpMlEk6w2uSu1KBtPsMB8GA1UdIwQYMBaAFMjFHQBBmiQpMlEk6w2uSu1KBtPsMAoGCCqGSM49BAMDA2gAMGUCMH8liWJfMui6vXXBhjDgY4MwslmN/TJxVe/83WrFomwmNf056y1X48F9c4m3a3ozXAIxAKjRay5/aj/jsKKGIkmQatjI8uupHr/+CxFvaJWmpYqNkLDGRU+9orzh5hI2RrcuaQ=="
          }
        ]
      },
      "validFor": {
        "start": "2021-03-07T03:20:29Z",
        "end": "2022-12-31T23:59:59.999Z"
      }
    },
    {
      "subject": {
        "organization": "sigstore.dev",
        "commonName": "sigstore"
      },
      "uri": "https://fulcio.sigstore.dev",
      "certChain": {
        "certificates": [
          {
            "rawBytes": "MIICGjCCAaGgAwIBAgIUALnViVfnU0brJasmRkHrn/UnfaQwCgYIKoZIzj0EAwMwKjEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MREwDwYDVQQDEwhzaWdzdG9yZTAeFw0yMjA0MTMyMDA2MTVaFw0zMTEwMDUxMzU2NThaMDcxFTATBgNVBAoTDHNpZ3N0b3JlLmRldjEeMBwGA1UEAxMVc2lnc3RvcmUtaW50ZXJtZWRpYXRlMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE8RVS/ysH+NOvuDZyPIZtilgUF9NlarYpAd9HP1vBBH1U5CV77LSS7s0ZiH4nE7Hv7ptS6LvvR/STk798LVgMzLlJ4HeIfF3tHSaexLcYpSASr1kS0N/RgBJz/9jWCiXno3sweTAOBgNVHQ8BAf8EBAMCAQYwEwYDVR0lBAwwCgYIKwYBBQUHAwMwEgYDVR0TAQH/BAgwBgEB/wIBADAdBgNVHQ4EFgQU39Ppz1YkEZb5qNjpKFWixi4YZD8wHwYDVR0jBBgwFoAUWMAeX5FFpWapesyQoZMi0CrFxfowCgYIKoZIzj0EAwMDZwAwZAIwPCsQK4DYiZYDPIaDi5HFKnfxXx6ASSVmERfsynYBiX2X6SJRnZU84/9DZdnFvvxmAjBOt6QpBlc4J/0DxvkTCqpclvziL6BCCPnjdlIB3Pu3BxsPmygUY7Ii2zbdCdliiow="
          },
          {
            "rawBytes": "MIIB9zCCAXygAwIBAgIUALZNAPFdxHPwjeDloDwyYChAO/4wCgYIKoZIzj0EAwMwKjEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MREwDwYDVQQDEwhzaWdzdG9yZTAeFw0yMTEwMDcxMzU2NTlaFw0zMTEwMDUxMzU2NThaMCoxFTATBgNVBAoTDHNpZ3N0b3JlLmRldjERMA8GA1UEAxMIc2lnc3RvcmUwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAAT7XeFT4rb3PQGwS4IajtLk3/OlnpgangaBclYpsYBr5i+4ynB07ceb3LP0OIOZdxexX69c5iVuyJRQ+Hz05yi+UF3uBWAlHpiS5sh0+H2GHE7SXrk1EC5m1Tr19L9gg92jYzBhMA4GA1UdDwEB/wQEAwIBBjAPBgNVHRMBAf8EBTADAQH/MB0GA1UdDgQWBBRYwB5fkUWlZql6zJChkyLQKsXF+jAfBgNVHSMEGDAWgBRYwB5fkUWlZql6zJChkyLQKsXF+jAKBggqhkjOPQQDAwNpADBmAjEAj1nHeXZp+13NWBNa+EDsDP8G1WWg1tCMWP/WHPqpaVo0jhsweNFZgSs0eE7wYI4qAjEA2WB9ot98sIkoF3vZYdd3/VtWB5b9TNMea7Ix/stJ5TfcLLeABLE4BNJOsQ4vnBHJ"
          }
        ]
      },
      "validFor": {
        "start": "2022-04-13T20:06:15Z"
      }
    }
  ],
  "ctlogs": [
    {
      "baseUrl": "https://ctfe.sigstore.dev/test",
      "hashAlgorithm": "SHA2_256",
      "publicKey": {
        "rawBytes": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbfwR+RJudXscgRBRpKX1XFDy3PyudDxz/SfnRi1fT8ekpfBd2O1uoz7jr3Z8nKzxA69EUQ+eFCFI3zeubPWU7w==",
        "keyDetails": "PKIX_ECDSA_P256_SHA_256",
        "validFor": {
          "start": "2021-03-14T00:00:00Z",
          "end": "2022-10-31T23:59:59.999Z"
        }
      },
      "logId": {
        "keyId": "CGCS8ChS/2hF0dFrJ4ScRWcYrBY9wzjSbea8IgY2b3I="
      }
    },
    {
      "baseUrl": "https://ctfe.sigstore.dev/2022",
      "hashAlgorithm": "SHA2_256",
      "publicKey": {
        "rawBytes": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEiPSlFi0CmFTfEjCUqF9HuCEcYXNKAaYalIJmBZ8yyezPjTqhxrKBpMnaocVtLJBI1eM3uXnQzQGAJdJ4gs9Fyw==",
        "keyDetails": "PKIX_ECDSA_P256_SHA_256",
        "validFor": {
          "start": "2022-10-20T00:00:00Z"
        }
      },
      "logId": {
        "keyId": "3T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4="
      }
    }
  ],
  "timestampAuthorities": [
    {
      "subject": {
        "organization": "sigstore.dev",
        "commonName": "sigstore-tsa-selfsigned"
      },
      "uri": "https://timestamp.sigstore.dev/api/v1/timestamp",
      "certChain": {
        "certificates": [
          {
            "rawBytes": "MIICEDCCAZagAwIBAgIUOhNULwyQYe68wUMvy4qOiyojiwwwCgYIKoZIzj0EAwMwOTEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MSAwHgYDVQQDExdzaWdzdG9yZS10c2Etc2VsZnNpZ25lZDAeFw0yNTA0MDgwNjU5NDNaFw0zNTA0MDYwNjU5NDNaMC4xFTATBgNVBAoTDHNpZ3N0b3JlLmRldjEVMBMGA1UEAxMMc2lnc3RvcmUtdHNhMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE4ra2Z8hKNig2T9kFjCAToGG30jky+WQv3BzL+mKvh1SKNR/UwuwsfNCg4sryoYAd8E6isovVA3M4aoNdm9QDi50Z8nTEyvqgfDPtTIwXItfiW/AFf1V7uwkbkAoj0xxco2owaDAOBgNVHQ8BAf8EBAMCB4AwHQYDVR0OBBYEFIn9eUOHz9BlRsMCRscsc1t9tOsDMB8GA1UdIwQYMBaAFJjsAe9/u1H/1JUeb4qImFMHic6/MBYGA1UdJQEB/wQMMAoGCCsGAQUFBwMIMAoGCCqGSM49BAMDA2gAMGUCMDtpsV/6KaO0qyF/UMsX2aSUXKQFdoGTptQGc0ftq1csulHPGG6dsmyMNd3JB+G3EQIxAOajvBcjpJmKb4Nv+2Taoj8Uc5+b6ih6FXCCKraSqupe07zqswMcXJTe1cExvHvvlw=="
          },
          {
            "rawBytes": "MIIB9zCCAXygAwIBAgIUV7f0GLDOoEzIh8LXSW80OJiUp14wCgYIKoZIzj0EAwMwOTEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MSAwHgYDVQQDExdzaWdzdG9yZS10c2Etc2VsZnNpZ25lZDAeFw0yNTA0MDgwNjU5NDNaFw0zNTA0MDYwNjU5NDNaMDkxFTATBgNVBAoTDHNpZ3N0b3JlLmRldjEgMB4GA1UEAxMXc2lnc3RvcmUtdHNhLXNlbGZzaWduZWQwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAAQUQNtfRT/ou3YATa6wB/kKTe70cfJwyRIBovMnt8RcJph/COE82uyS6FmppLLL1VBPGcPfpQPYJNXzWwi8icwhKQ6W/Qe2h3oebBb2FHpwNJDqo+TMaC/tdfkv/ElJB72jRTBDMA4GA1UdDwEB/wQEAwIBBjASBgNVHRMBAf8ECDAGAQH/AgEAMB0GA1UdDgQWBBSY7AHvf7tR/9SVHm+KiJhTB4nOvzAKBggqhkjOPQQDAwNpADBmAjEAwGEGrfGZR1cen1R8/DTVMI943LssZmJRtDp/i7SfGHmGRP6gRbuj9vOK3b67Z0QQAjEAuT2H673LQEaHTcyQSZrkp4mX7WwkmF+sVbkYY5mXN+RMH13KUEHHOqASaemYWK/E"
          }
        ]
      },
      "validFor": {
        "start": "2025-07-04T00:00:00Z"
      }
    }
  ]
};

// packages/core/src/github/context.ts
var SUPPORTED_EVENTS = [
  "pull_request",
  "pull_request_target",
  "merge_group",
  "push",
  "workflow_dispatch",
  "deployment",
  "schedule"
];
var CONTEXT_DOC = docUrl("run-context");
var Problems = class {
  list = [];
  add(problem) {
    this.list.push(problem);
    return void 0;
  }
};
var SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
var DECIMAL_RE = /^[1-9][0-9]*$/;
var NAME_RE = /^[A-Za-z0-9_.-]+$/;
function describeValue(value) {
  if (value === void 0) return "missing";
  if (value === null) return "null";
  if (typeof value === "string") {
    if (value === "") return "an empty string";
    const shown = value.length > 60 ? `${value.slice(0, 60)}\u2026` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
function isRecord(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function lookup(root, path2) {
  let current = root;
  for (const key of path2.split(".")) {
    if (!isRecord(current)) return void 0;
    current = current[key];
  }
  return current;
}
var EnvReader = class {
  constructor(env, problems) {
    this.env = env;
    this.problems = problems;
  }
  env;
  problems;
  /** A value, or undefined when unset or empty (the runner sets some variables to ''). */
  optional(name) {
    const value = this.env[name];
    return value === void 0 || value === "" ? void 0 : value;
  }
  required(name, expected) {
    const value = this.optional(name);
    if (value !== void 0) return value;
    return this.problems.add({
      code: "INPUT_MISSING",
      where: name,
      source: "env",
      message: `${name} is not set`,
      expected,
      actual: describeValue(this.env[name])
    });
  }
  invalid(name, expected, value) {
    return this.problems.add({
      code: "INPUT_INVALID",
      where: name,
      source: "env",
      message: `${name} is not ${expected}`,
      expected,
      actual: describeValue(value)
    });
  }
  positiveInteger(name) {
    const expected = "a positive decimal integer";
    const raw = this.required(name, expected);
    if (raw === void 0) return void 0;
    const value = Number(raw);
    if (!DECIMAL_RE.test(raw) || !Number.isSafeInteger(value)) return this.invalid(name, expected, raw);
    return value;
  }
  sha(name, required) {
    const expected = "a commit sha (40 hexadecimal characters)";
    const raw = required ? this.required(name, expected) : this.optional(name);
    if (raw === void 0) return void 0;
    if (!SHA_RE.test(raw)) return this.invalid(name, expected, raw);
    return raw.toLowerCase();
  }
  url(name, fallback) {
    const raw = this.optional(name) ?? fallback;
    const expected = "an http(s) URL";
    let parsed;
    try {
      parsed = new URL(raw);
    } catch {
      return this.invalid(name, expected, raw);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return this.invalid(name, expected, raw);
    return raw.replace(/\/+$/, "");
  }
};
var PayloadReader = class {
  constructor(payload, eventName, problems) {
    this.payload = payload;
    this.eventName = eventName;
    this.problems = problems;
  }
  payload;
  eventName;
  problems;
  get(path2) {
    return lookup(this.payload, path2);
  }
  problem(path2, expected, value) {
    return this.problems.add({
      code: "FILE_INVALID",
      where: path2,
      source: "payload",
      message: value === void 0 ? `the ${this.eventName} event payload has no ${path2}` : `${path2} in the ${this.eventName} event payload is not ${expected}`,
      expected: `${path2}: ${expected}`,
      actual: describeValue(value)
    });
  }
  string(path2) {
    const value = this.get(path2);
    if (typeof value === "string" && value !== "") return value;
    return this.problem(path2, "a non-empty string", value);
  }
  sha(path2) {
    const value = this.get(path2);
    if (typeof value === "string" && SHA_RE.test(value)) return value.toLowerCase();
    return this.problem(path2, "a commit sha (40 hexadecimal characters)", value);
  }
  positiveInteger(path2) {
    const value = this.get(path2);
    if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
    return this.problem(path2, "a positive integer", value);
  }
  optionalBoolean(path2, fallback) {
    const value = this.get(path2);
    if (value === void 0 || value === null) return fallback;
    if (typeof value === "boolean") return value;
    return this.problem(path2, "true or false", value);
  }
};
function isSupported(eventName) {
  return SUPPORTED_EVENTS.includes(eventName);
}
function parseRepository(env) {
  const expected = "owner/repo";
  const raw = env.required("GITHUB_REPOSITORY", expected);
  if (raw === void 0) return void 0;
  const parts = raw.split("/");
  const [owner, repo] = parts;
  if (parts.length !== 2 || owner === void 0 || repo === void 0 || !NAME_RE.test(owner) || !NAME_RE.test(repo)) {
    return env.invalid("GITHUB_REPOSITORY", expected, raw);
  }
  return { owner, repo, fullName: raw };
}
function defaultApiUrl(serverUrl) {
  return serverUrl === "https://github.com" ? "https://api.github.com" : `${serverUrl}/api/v3`;
}
function parsePullRequest(p) {
  if (!isRecord(p.get("pull_request"))) {
    return p.problem("pull_request", "an object", p.get("pull_request"));
  }
  const number = p.positiveInteger("pull_request.number");
  const headSha = p.sha("pull_request.head.sha");
  const baseSha = p.sha("pull_request.base.sha");
  const headRef = p.string("pull_request.head.ref");
  const baseRef = p.string("pull_request.base.ref");
  const baseRepoFullName = p.string("pull_request.base.repo.full_name");
  const author = p.string("pull_request.user.login");
  const draft = p.optionalBoolean("pull_request.draft", false);
  const headRepo = p.get("pull_request.head.repo");
  let headRepoFullName;
  if (headRepo === null) headRepoFullName = null;
  else if (isRecord(headRepo)) headRepoFullName = p.string("pull_request.head.repo.full_name");
  else headRepoFullName = p.problem("pull_request.head.repo", "an object or null", headRepo);
  const rawLabels = p.get("pull_request.labels");
  let labels = [];
  if (rawLabels !== void 0 && rawLabels !== null) {
    if (!Array.isArray(rawLabels)) {
      labels = p.problem("pull_request.labels", "an array of labels", rawLabels);
    } else {
      for (const [i, label] of rawLabels.entries()) {
        const name = lookup(label, "name");
        if (typeof name === "string") labels.push(name);
        else {
          labels = p.problem(`pull_request.labels.${i}.name`, "a string", name);
          break;
        }
      }
    }
  }
  if (number === void 0 || headSha === void 0 || baseSha === void 0 || headRef === void 0 || baseRef === void 0 || baseRepoFullName === void 0 || headRepoFullName === void 0 || author === void 0 || draft === void 0 || labels === void 0) {
    return void 0;
  }
  const isFork = headRepoFullName === null || headRepoFullName.toLowerCase() !== baseRepoFullName.toLowerCase();
  return { number, headSha, baseSha, headRef, baseRef, headRepoFullName, isFork, author, draft, labels };
}
function parseMergeGroup(p) {
  if (!isRecord(p.get("merge_group"))) return p.problem("merge_group", "an object", p.get("merge_group"));
  const headSha = p.sha("merge_group.head_sha");
  const baseSha = p.sha("merge_group.base_sha");
  const headRef = p.string("merge_group.head_ref");
  const baseRef = p.string("merge_group.base_ref");
  if (headSha === void 0 || baseSha === void 0 || headRef === void 0 || baseRef === void 0) return void 0;
  return { headSha, baseSha, headRef, baseRef };
}
function parseDeployment(p) {
  if (!isRecord(p.get("deployment"))) return p.problem("deployment", "an object", p.get("deployment"));
  const id = p.positiveInteger("deployment.id");
  const environment = p.string("deployment.environment");
  const ref = p.string("deployment.ref");
  const sha = p.sha("deployment.sha");
  const task = p.get("deployment.task") === void 0 ? "deploy" : p.string("deployment.task");
  if (id === void 0 || environment === void 0 || ref === void 0 || sha === void 0 || task === void 0) {
    return void 0;
  }
  return { id, environment, ref, sha, task };
}
function parseDispatchInputs(p) {
  const raw = p.get("inputs");
  if (raw === void 0 || raw === null) return {};
  if (!isRecord(raw)) return p.problem("inputs", "an object of input names to values", raw);
  const inputs = {};
  let ok = true;
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === "string") inputs[name] = value;
    else if (typeof value === "boolean" || typeof value === "number") inputs[name] = String(value);
    else {
      p.problem(`inputs.${name}`, "a string", value);
      ok = false;
    }
  }
  return ok ? inputs : void 0;
}
function toError(problems, env) {
  const [first] = problems;
  if (first === void 0) return new InternalError("run context: a field was left unset without a recorded problem");
  const eventPath = env["GITHUB_EVENT_PATH"];
  const hasEnv = problems.some((p) => p.source === "env");
  const hasPayload = problems.some((p) => p.source === "payload");
  const hints = [];
  if (hasEnv) {
    hints.push(
      "These variables are set by the GitHub Actions runner. Outside a runner (local runs, tests) set them yourself."
    );
  }
  if (hasPayload) {
    hints.push(
      `The event payload does not have the fields a ${env["GITHUB_EVENT_NAME"] ?? ""} event carries. Outside a runner, check that GITHUB_EVENT_NAME matches the payload file in GITHUB_EVENT_PATH.`
    );
  }
  const message = problems.length === 1 ? `Cannot read the run context: ${first.message}` : `Cannot read the run context (${problems.length} problems):
${problems.map((p) => `  - ${p.message}`).join("\n")}`;
  return new ConfigError(first.code, message, {
    ...first.source === "env" ? { input: first.where } : { input: "GITHUB_EVENT_PATH" },
    ...first.source === "payload" && eventPath !== void 0 && eventPath !== "" ? { file: eventPath } : {},
    ...first.expected === void 0 ? {} : { expected: first.expected },
    ...first.actual === void 0 ? {} : { actual: first.actual },
    hint: hints.join(" "),
    docUrl: CONTEXT_DOC
  });
}
function normalizeContext(env, eventPayload) {
  const problems = new Problems();
  const e = new EnvReader(env, problems);
  const eventName = e.required("GITHUB_EVENT_NAME", `one of ${SUPPORTED_EVENTS.join(", ")}`);
  if (eventName !== void 0 && !isSupported(eventName)) {
    throw new ConfigError("CONTEXT_UNSUPPORTED", `genops does not support the '${eventName}' event`, {
      input: "GITHUB_EVENT_NAME",
      expected: `one of ${SUPPORTED_EVENTS.join(", ")}`,
      actual: describeValue(eventName),
      hint: "Trigger the workflow on a supported event (e.g. `on: pull_request`), or skip this step on others with an `if:` condition such as `if: github.event_name == 'pull_request'`.",
      docUrl: CONTEXT_DOC
    });
  }
  const repository = parseRepository(e);
  const serverUrl = e.url("GITHUB_SERVER_URL", "https://github.com");
  const apiUrl = serverUrl === void 0 ? void 0 : e.url("GITHUB_API_URL", defaultApiUrl(serverUrl));
  const runId = e.positiveInteger("GITHUB_RUN_ID");
  const runAttempt = e.positiveInteger("GITHUB_RUN_ATTEMPT");
  const workflowRefRaw = e.required("GITHUB_WORKFLOW_REF", "owner/repo/.github/workflows/<file>@<ref>");
  const workflowRef = workflowRefRaw === void 0 || /^[^/\s]+\/[^/\s]+\/[^@\s]+@\S+$/.test(workflowRefRaw) ? workflowRefRaw : e.invalid("GITHUB_WORKFLOW_REF", "owner/repo/.github/workflows/<file>@<ref>", workflowRefRaw);
  const workflowSha = e.sha("GITHUB_WORKFLOW_SHA", false);
  const job = e.optional("GITHUB_JOB");
  const actor = e.required("GITHUB_ACTOR", "the login of the user who started the run");
  const triggeringActor = e.optional("GITHUB_TRIGGERING_ACTOR");
  const refRaw = e.required("GITHUB_REF", "a fully-formed ref, e.g. refs/heads/main");
  const ref = refRaw === void 0 || refRaw.startsWith("refs/") ? refRaw : e.invalid("GITHUB_REF", "a fully-formed ref starting with refs/", refRaw);
  const sha = e.sha("GITHUB_SHA", true);
  if (eventName === void 0) throw toError(problems.list, env);
  const p = new PayloadReader(eventPayload, eventName, problems);
  if (!isRecord(eventPayload)) {
    p.problem("(root)", "a JSON object", eventPayload);
    throw toError(problems.list, env);
  }
  const payloadRepo = p.get("repository.full_name");
  if (repository !== void 0 && typeof payloadRepo === "string" && payloadRepo.toLowerCase() !== repository.fullName.toLowerCase()) {
    p.problem("repository.full_name", `the repository in GITHUB_REPOSITORY (${repository.fullName})`, payloadRepo);
  }
  let pullRequest;
  let mergeGroup;
  let deployment;
  let dispatchInputs;
  switch (eventName) {
    case "pull_request":
    case "pull_request_target":
      pullRequest = parsePullRequest(p);
      break;
    case "merge_group":
      mergeGroup = parseMergeGroup(p);
      break;
    case "deployment":
      deployment = parseDeployment(p);
      break;
    case "workflow_dispatch":
      dispatchInputs = parseDispatchInputs(p);
      break;
    case "push":
    case "schedule":
      break;
  }
  if (problems.list.length > 0 || repository === void 0 || serverUrl === void 0 || apiUrl === void 0 || runId === void 0 || runAttempt === void 0 || workflowRef === void 0 || actor === void 0 || ref === void 0 || sha === void 0) {
    throw toError(problems.list, env);
  }
  const subjectSha = pullRequest?.headSha ?? mergeGroup?.headSha ?? deployment?.sha ?? sha;
  return {
    eventName,
    repository,
    serverUrl,
    apiUrl,
    runId,
    runAttempt,
    workflowRef,
    ...workflowSha === void 0 ? {} : { workflowSha },
    ...job === void 0 ? {} : { job },
    actor,
    ...triggeringActor === void 0 ? {} : { triggeringActor },
    ref,
    sha,
    subjectSha,
    ...pullRequest === void 0 ? {} : { pullRequest },
    ...mergeGroup === void 0 ? {} : { mergeGroup },
    ...deployment === void 0 ? {} : { deployment },
    ...dispatchInputs === void 0 ? {} : { dispatchInputs },
    isReadOnlyToken: eventName === "pull_request" && pullRequest?.isFork === true
  };
}
async function readContextFromEnv(env, readFile5) {
  const eventPath = env["GITHUB_EVENT_PATH"];
  if (eventPath === void 0 || eventPath === "") {
    throw new ConfigError("INPUT_MISSING", "Cannot read the run context: GITHUB_EVENT_PATH is not set", {
      input: "GITHUB_EVENT_PATH",
      expected: "the path of the JSON file holding the webhook payload of the event that started the run",
      hint: "The GitHub Actions runner sets GITHUB_EVENT_PATH. Outside a runner, point it at a payload file.",
      docUrl: CONTEXT_DOC
    });
  }
  let text;
  try {
    text = await readFile5(eventPath);
  } catch (cause) {
    const notFound = isRecord(cause) && cause["code"] === "ENOENT";
    throw new ConfigError(
      notFound ? "FILE_NOT_FOUND" : "FILE_INVALID",
      `Cannot read the event payload at ${eventPath}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { input: "GITHUB_EVENT_PATH", file: eventPath, cause, docUrl: CONTEXT_DOC }
    );
  }
  let payload;
  try {
    payload = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(
      "FILE_INVALID",
      `The event payload at ${eventPath} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      { input: "GITHUB_EVENT_PATH", file: eventPath, expected: "a JSON webhook payload", cause, docUrl: CONTEXT_DOC }
    );
  }
  return normalizeContext(env, payload);
}

// packages/core/src/github/api-errors.ts
var PERMISSIONS_BY_OPERATION = {
  createCheckRun: {
    operation: "create a check run",
    permission: { scope: "checks", level: "write" },
    routes: ["POST /repos/{owner}/{repo}/check-runs"]
  },
  updateCheckRun: {
    operation: "update a check run",
    permission: { scope: "checks", level: "write" },
    routes: ["PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"]
  },
  listCheckRuns: {
    operation: "list the check runs of a commit",
    permission: { scope: "checks", level: "read" },
    routes: ["GET /repos/{owner}/{repo}/commits/{ref}/check-runs"]
  },
  createCommitStatus: {
    operation: "set a commit status",
    permission: { scope: "statuses", level: "write" },
    routes: ["POST /repos/{owner}/{repo}/statuses/{sha}"]
  },
  // PR comments go through the Issues API; for a pull request `pull-requests: write` is enough.
  writePrComment: {
    operation: "write a pull request comment",
    permission: { scope: "pull-requests", level: "write" },
    routes: [
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"
    ]
  },
  listPrComments: {
    operation: "list the comments of a pull request",
    permission: { scope: "pull-requests", level: "read" },
    routes: ["GET /repos/{owner}/{repo}/issues/{issue_number}/comments"]
  },
  // Suggested line edits are review comments on the diff (only there can GitHub apply them).
  writeReviewComment: {
    operation: "write a pull request review comment",
    permission: { scope: "pull-requests", level: "write" },
    routes: ["POST /repos/{owner}/{repo}/pulls/{pull_number}/comments", "PATCH /repos/{owner}/{repo}/pulls/comments/{comment_id}"]
  },
  readPullRequest: {
    operation: "read a pull request, its files, reviews, review comments and commits",
    permission: { scope: "pull-requests", level: "read" },
    routes: [
      "GET /repos/{owner}/{repo}/pulls/{pull_number}",
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments",
      "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls"
    ]
  },
  readRunApprovals: {
    operation: "read the deployment reviews of this workflow run",
    permission: { scope: "actions", level: "read" },
    routes: ["GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals"]
  },
  readDeployments: {
    operation: "read deployments",
    permission: { scope: "deployments", level: "read" },
    routes: [
      "GET /repos/{owner}/{repo}/deployments",
      "GET /repos/{owner}/{repo}/deployments/{deployment_id}",
      "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses"
    ]
  },
  // Incident records kept as issues with a label (risk-score's similar-incident search).
  readIssues: {
    operation: "list the issues of a repository",
    permission: { scope: "issues", level: "read" },
    routes: ["GET /repos/{owner}/{repo}/issues"]
  },
  // Who applied the break-glass label, and when (issue events of the pull request).
  readLabelEvents: {
    operation: "read the label events of a pull request",
    permission: { scope: "pull-requests", level: "read" },
    routes: ["GET /repos/{owner}/{repo}/issues/{issue_number}/events"]
  },
  // The post-incident follow-up issue a break-glass opens.
  createIssue: {
    operation: "open an issue",
    permission: { scope: "issues", level: "write" },
    routes: ["POST /repos/{owner}/{repo}/issues"]
  },
  writeDeploymentStatus: {
    operation: "set a deployment status",
    permission: { scope: "deployments", level: "write" },
    routes: ["POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses"]
  },
  readContents: {
    operation: "read repository contents and git data",
    permission: { scope: "contents", level: "read" },
    routes: [
      "GET /repos/{owner}/{repo}/contents/{path}",
      "GET /repos/{owner}/{repo}/commits/{ref}",
      "GET /repos/{owner}/{repo}/compare/{basehead}",
      "GET /repos/{owner}/{repo}/git/ref/{ref}",
      "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
      "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
      "GET /repos/{owner}/{repo}/git/blobs/{file_sha}"
    ]
  },
  writeContents: {
    operation: "write repository contents and git data",
    permission: { scope: "contents", level: "write" },
    routes: [
      "PUT /repos/{owner}/{repo}/contents/{path}",
      "POST /repos/{owner}/{repo}/git/blobs",
      "POST /repos/{owner}/{repo}/git/trees",
      "POST /repos/{owner}/{repo}/git/commits",
      "POST /repos/{owner}/{repo}/git/refs",
      "PATCH /repos/{owner}/{repo}/git/refs/{ref}"
    ]
  },
  requestIdToken: {
    // Not REST: the runner's ACTIONS_ID_TOKEN_REQUEST_URL. Listed for the docs and for callers.
    operation: "request an OIDC token for keyless signing",
    permission: { scope: "id-token", level: "write" },
    routes: []
  },
  createAttestation: {
    operation: "store an attestation",
    permission: { scope: "attestations", level: "write" },
    routes: ["POST /repos/{owner}/{repo}/attestations"]
  },
  readRunArtifacts: {
    operation: "read workflow run artifacts",
    permission: { scope: "actions", level: "read" },
    routes: [
      "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts",
      "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}"
    ]
  }
};
var BY_ROUTE = new Map(
  Object.values(PERMISSIONS_BY_OPERATION).flatMap((op) => op.routes.map((r) => [r, op]))
);
function operationForRoute(method, urlTemplate) {
  return BY_ROUTE.get(`${method.toUpperCase()} ${urlTemplate}`);
}
function permissionsYaml(needs) {
  return ["permissions:", ...needs.map((n) => `  ${n.scope}: ${n.level}`)].join("\n");
}
function isRecord2(value) {
  return typeof value === "object" && value !== null;
}
function isHttpError(error2) {
  return isRecord2(error2) && typeof error2["status"] === "number" && typeof error2["message"] === "string" && !isGenopsError(error2);
}
function header(error2, name) {
  const value = error2.response?.headers?.[name];
  return value === void 0 ? void 0 : String(value);
}
function githubMessage(error2) {
  const data = error2.response?.data;
  const raw = isRecord2(data) && typeof data["message"] === "string" ? data["message"] : error2.message;
  return raw.length > 300 ? `${raw.slice(0, 300)}\u2026` : raw;
}
function requestLine(error2) {
  const method = error2.request?.method;
  const url = error2.request?.url;
  if (method === void 0 || url === void 0) return void 0;
  let path2;
  try {
    path2 = new URL(url).pathname;
  } catch {
    path2 = url.split("?")[0] ?? url;
  }
  return `${method} ${path2}`;
}
function networkReason(error2) {
  let reason = error2.message;
  let current = error2.cause;
  for (let depth = 0; depth < 4 && isRecord2(current); depth++) {
    if (typeof current["message"] === "string" && current["message"] !== "") reason = current["message"];
    current = current["cause"];
  }
  return reason;
}
function found(error2) {
  const line = requestLine(error2);
  return `HTTP ${error2.status}${line === void 0 ? "" : ` from ${line}`}: ${githubMessage(error2)}`;
}
var ATTEMPTS = /* @__PURE__ */ new WeakMap();
function attempts(error2) {
  return ATTEMPTS.get(error2);
}
function acceptedPermissions(error2) {
  const raw = header(error2, "x-accepted-github-permissions");
  if (raw === void 0 || raw.trim() === "") return void 0;
  const firstSet = raw.split(";")[0] ?? "";
  const needs = firstSet.split(",").map((part) => part.trim().split("=")).filter((kv) => kv.length === 2 && kv[0] !== "" && kv[1] !== "").map(([scope, level]) => ({ scope: scope.replace(/_/g, "-"), level }));
  return needs.length > 0 ? needs : void 0;
}
var PERMISSIONS_DOC = docUrl("github-permissions");
var KEEP_OTHERS = "A `permissions:` block sets every permission it does not list to none: keep the other lines this job needs (e.g. `contents: read`).";
function forkNote(readOnlyToken) {
  const risk = "`pull_request_target` has a write token and secrets, so use it carefully: never check out or run the pull request's code there.";
  if (readOnlyToken === true) {
    return `This run is for a pull request from a fork: on \`pull_request\` GitHub gives it a read-only token, whatever \`permissions:\` says. Accept summary-only output (job summary and outputs), or run on \`pull_request_target\` instead. ${risk}`;
  }
  if (readOnlyToken === void 0) {
    return `If this run is for a pull request from a fork, its token is read-only whatever \`permissions:\` says: accept summary-only output, or run on \`pull_request_target\` instead. ${risk}`;
  }
  return void 0;
}
function grantHint(needs, operation) {
  if (needs === void 0) {
    return `Grant the permission needed to ${operation} in the workflow's \`permissions:\` block (see the docs).`;
  }
  return `Add to the job (or the workflow):

${permissionsYaml(needs)}

${KEEP_OTHERS}`;
}
function joinHints(...parts) {
  return parts.filter((p) => p !== void 0).join("\n\n");
}
function rateLimitKind(error2) {
  if (error2.status !== 403 && error2.status !== 429) return void 0;
  if (header(error2, "x-ratelimit-remaining") === "0") return "primary";
  const message = githubMessage(error2);
  if (/secondary rate limit|abuse detection/i.test(message)) return "secondary";
  if (header(error2, "retry-after") !== void 0 || error2.status === 429) return "secondary";
  return void 0;
}
function explainRateLimit(error2, kind, ctx) {
  const tried = attempts(error2);
  const triedText = tried === void 0 ? "" : ` (sent ${tried} time${tried === 1 ? "" : "s"})`;
  if (kind === "primary") {
    const resetSeconds = Number(header(error2, "x-ratelimit-reset"));
    const reset = Number.isFinite(resetSeconds) && resetSeconds > 0 ? new Date(resetSeconds * 1e3).toISOString() : void 0;
    const resource = header(error2, "x-ratelimit-resource");
    return new ConfigError(
      "RATE_LIMITED",
      `Cannot ${ctx.operation}: the GitHub API rate limit${resource === void 0 ? "" : ` (${resource})`} is used up${reset === void 0 ? "" : ` until ${reset}`}${triedText}`,
      {
        actual: found(error2),
        hint: `Re-run the job${reset === void 0 ? " later" : ` after ${reset}`}. If this keeps happening, fewer jobs should share the token, or use a GitHub App installation token (higher limit).`,
        docUrl: docUrl("github-permissions", "rate-limits"),
        cause: error2
      }
    );
  }
  const retryAfter = header(error2, "retry-after");
  return new ConfigError(
    "RATE_LIMITED",
    `Cannot ${ctx.operation}: GitHub's secondary rate limit refused the request${retryAfter === void 0 ? "" : `; retry after ${retryAfter} s`}${triedText}`,
    {
      actual: found(error2),
      hint: "Secondary limits come from many requests in a short time (often parallel jobs writing checks or comments). Re-run the job later, or stagger the jobs that call the API.",
      docUrl: docUrl("github-permissions", "rate-limits"),
      cause: error2
    }
  );
}
function formatValidationErrors(data) {
  if (!isRecord2(data) || !Array.isArray(data["errors"])) return void 0;
  const parts = data["errors"].map((e) => {
    if (typeof e === "string") return e;
    if (!isRecord2(e)) return JSON.stringify(e);
    const where = [e["resource"], e["field"]].filter((x) => typeof x === "string").join(".");
    const what = [e["code"], e["message"]].filter((x) => typeof x === "string" && x !== "").join(": ");
    return where === "" ? what : `${where}: ${what}`;
  });
  return parts.length === 0 ? void 0 : parts.join("; ");
}
var UNAVAILABLE_CODE = "API_UNAVAILABLE";
function explainUnavailable(error2, ctx) {
  const tried = attempts(error2);
  const after = tried === void 0 ? "" : ` after ${tried} attempt${tried === 1 ? "" : "s"}`;
  const noResponse = error2.response === void 0;
  const line = requestLine(error2);
  const message = noResponse ? `Cannot ${ctx.operation}: GitHub API unreachable${after} (${networkReason(error2)})` : `Cannot ${ctx.operation}: GitHub API unavailable${after} (HTTP ${error2.status})`;
  return new ConfigError(UNAVAILABLE_CODE, message, {
    actual: noResponse ? `no response${line === void 0 ? "" : ` to ${line}`}: ${networkReason(error2)}` : found(error2),
    hint: noResponse ? "Check the network and, on GitHub Enterprise Server, the API URL (GITHUB_API_URL). Otherwise re-run the job later." : "This is neither your configuration nor a genops bug: GitHub answered with server errors on every try. Re-run the job later; see https://www.githubstatus.com (or your GitHub Enterprise Server administrator).",
    docUrl: docUrl("github-permissions", "outages"),
    cause: error2
  });
}
function explainApiError(error2, ctx) {
  if (isGenopsError(error2)) {
    return isHttpError(error2.details.cause) ? explainApiError(error2.details.cause, ctx) : error2;
  }
  if (!isHttpError(error2)) {
    const message = error2 instanceof Error ? error2.message : String(error2);
    return new InternalError(`unexpected error while trying to ${ctx.operation}: ${message}`, { cause: error2 });
  }
  if (ctx.attempts !== void 0) ATTEMPTS.set(error2, ctx.attempts);
  const status = error2.status;
  const op = ctx.operation;
  const needs = ctx.permission === void 0 ? acceptedPermissions(error2) : [ctx.permission];
  if (status === 401) {
    return new ConfigError("INPUT_INVALID", `Cannot ${op}: GitHub rejected the token (401 ${githubMessage(error2)})`, {
      input: "github-token",
      expected: "a valid token, by default ${{ github.token }}",
      actual: found(error2),
      hint: "Leave `github-token` unset to use the job's GITHUB_TOKEN, or pass a token that is not expired or revoked. A GITHUB_TOKEN stops working when its job ends: do not hand it to a later job.",
      docUrl: PERMISSIONS_DOC,
      cause: error2
    });
  }
  const rateLimit = rateLimitKind(error2);
  if (rateLimit !== void 0) return explainRateLimit(error2, rateLimit, ctx);
  if (status === 403) {
    const notAccessible = /resource not accessible by/i.test(githubMessage(error2));
    const what = needs === void 0 ? "the token lacks a permission it needs" : `the token lacks \`${needs.map((n) => `${n.scope}: ${n.level}`).join(", ")}\``;
    return new ConfigError(
      "PERMISSION_MISSING",
      notAccessible ? `Cannot ${op}: ${what} (GitHub: "${githubMessage(error2)}")` : `Cannot ${op}: GitHub refused the request (403: "${githubMessage(error2)}")`,
      {
        input: "github-token",
        ...needs === void 0 ? {} : { expected: `${needs.map((n) => `\`${n.scope}: ${n.level}\``).join(", ")} under \`permissions:\`` },
        actual: found(error2),
        hint: joinHints(
          grantHint(needs, op),
          notAccessible ? forkNote(ctx.readOnlyToken) : "Organization policies (SAML SSO, IP allow lists, branch protection) can also refuse a token."
        ),
        docUrl: PERMISSIONS_DOC,
        cause: error2
      }
    );
  }
  if (status === 404 || status === 410) {
    const readNeed = needs?.map((n) => ({ scope: n.scope, level: n.level }));
    return new ConfigError(
      "NOT_FOUND",
      status === 404 ? `Cannot ${op}: GitHub answered 404 Not Found` : `Cannot ${op}: GitHub answered 410 Gone (the resource was removed or the feature is disabled)`,
      {
        actual: found(error2),
        hint: joinHints(
          "Either it does not exist (check the repository, number, sha or ref), or the token cannot see it: GitHub answers 404 instead of 403 when a token has no access, e.g. to a private or another repository, or when a `permissions:` block leaves out the line it needs.",
          readNeed === void 0 ? void 0 : grantHint(readNeed, op)
        ),
        docUrl: PERMISSIONS_DOC,
        cause: error2
      }
    );
  }
  if (status === 409 || status === 422) {
    const details = formatValidationErrors(error2.response?.data);
    return new ConfigError(
      "INPUT_INVALID",
      `Cannot ${op}: GitHub rejected the request (${status} ${githubMessage(error2)}${details === void 0 ? "" : `: ${details}`})`,
      {
        actual: found(error2),
        ...details === void 0 ? {} : { expected: `a request GitHub accepts; it reported: ${details}` },
        hint: status === 409 ? "The resource changed or is in a state that does not allow this (e.g. an empty repository, or a ref moved meanwhile). Re-run the job." : "Check the values passed to this step (sha, ref, names) against the repository: e.g. the commit must exist on GitHub.",
        docUrl: PERMISSIONS_DOC,
        cause: error2
      }
    );
  }
  if (status >= 500 || status === 0) return explainUnavailable(error2, ctx);
  return new InternalError(`GitHub did not accept the request to ${op}: ${found(error2)}`, { cause: error2 });
}

// node_modules/.pnpm/@octokit+plugin-throttling@11.0.5_@octokit+core@7.0.8/node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var import_light = __toESM(require_light(), 1);
var VERSION = "0.0.0-development";
var noop = () => Promise.resolve();
function wrapRequest(state, request, options) {
  return state.retryLimiter.schedule(doRequest, state, request, options);
}
async function doRequest(state, request, options) {
  const { pathname } = new URL(options.url, "http://github.test");
  const isAuth = isAuthRequest(options.method, pathname);
  const isWrite = !isAuth && options.method !== "GET" && options.method !== "HEAD";
  const isSearch = options.method === "GET" && pathname.startsWith("/search/");
  const isGraphQL = pathname.startsWith("/graphql");
  const retryCount = ~~request.retryCount;
  const jobOptions = retryCount > 0 ? { priority: 0, weight: 0 } : {};
  if (state.clustering) {
    jobOptions.expiration = 1e3 * 60;
  }
  if (isWrite || isGraphQL) {
    await state.write.key(state.id).schedule(jobOptions, noop);
  }
  if (isWrite && state.triggersNotification(pathname)) {
    await state.notifications.key(state.id).schedule(jobOptions, noop);
  }
  if (isSearch) {
    await state.search.key(state.id).schedule(jobOptions, noop);
  }
  const req = (isAuth ? state.auth : state.global).key(state.id).schedule(jobOptions, request, options);
  if (isGraphQL) {
    const res = await req;
    if (res.data.errors != null && res.data.errors.some((error2) => error2.type === "RATE_LIMITED")) {
      const error2 = Object.assign(new Error("GraphQL Rate Limit Exceeded"), {
        response: res,
        data: res.data
      });
      throw error2;
    }
  }
  return req;
}
function isAuthRequest(method, pathname) {
  return method === "PATCH" && // https://docs.github.com/en/rest/apps/apps?apiVersion=2022-11-28#create-a-scoped-access-token
  /^\/applications\/[^/]+\/token\/scoped$/.test(pathname) || method === "POST" && // https://docs.github.com/en/rest/apps/oauth-applications?apiVersion=2022-11-28#reset-a-token
  (/^\/applications\/[^/]+\/token$/.test(pathname) || // https://docs.github.com/en/rest/apps/apps?apiVersion=2022-11-28#create-an-installation-access-token-for-an-app
  /^\/app\/installations\/[^/]+\/access_tokens$/.test(pathname) || // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
  pathname === "/login/oauth/access_token");
}
var triggers_notification_paths_default = [
  "/orgs/{org}/invitations",
  "/orgs/{org}/invitations/{invitation_id}",
  "/orgs/{org}/teams/{team_slug}/discussions",
  "/orgs/{org}/teams/{team_slug}/discussions/{discussion_number}/comments",
  "/repos/{owner}/{repo}/collaborators/{username}",
  "/repos/{owner}/{repo}/commits/{commit_sha}/comments",
  "/repos/{owner}/{repo}/issues",
  "/repos/{owner}/{repo}/issues/{issue_number}/comments",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issue",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues/priority",
  "/repos/{owner}/{repo}/pulls",
  "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
  "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
  "/repos/{owner}/{repo}/pulls/{pull_number}/merge",
  "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
  "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  "/repos/{owner}/{repo}/releases",
  "/teams/{team_id}/discussions",
  "/teams/{team_id}/discussions/{discussion_number}/comments"
];
function routeMatcher(paths) {
  const regexes = paths.map(
    (path2) => path2.split("/").map((c) => c.startsWith("{") ? "(?:.+?)" : c).join("/")
  );
  const regex2 = `^(?:${regexes.map((r) => `(?:${r})`).join("|")})[^/]*$`;
  return new RegExp(regex2, "i");
}
var regex = routeMatcher(triggers_notification_paths_default);
var triggersNotification = regex.test.bind(regex);
var groups = {};
var createGroups = function(Bottleneck, common) {
  groups.global = new Bottleneck.Group({
    id: "octokit-global",
    maxConcurrent: 10,
    ...common
  });
  groups.auth = new Bottleneck.Group({
    id: "octokit-auth",
    maxConcurrent: 1,
    ...common
  });
  groups.search = new Bottleneck.Group({
    id: "octokit-search",
    maxConcurrent: 1,
    minTime: 2e3,
    ...common
  });
  groups.write = new Bottleneck.Group({
    id: "octokit-write",
    maxConcurrent: 1,
    minTime: 1e3,
    ...common
  });
  groups.notifications = new Bottleneck.Group({
    id: "octokit-notifications",
    maxConcurrent: 1,
    minTime: 3e3,
    ...common
  });
};
function throttling(octokit, octokitOptions) {
  const {
    enabled = true,
    Bottleneck = import_light.default,
    id = "no-id",
    timeout = 1e3 * 60 * 2,
    // Redis TTL: 2 minutes
    connection
  } = octokitOptions.throttle || {};
  if (!enabled) {
    return {};
  }
  const common = { timeout };
  if (typeof connection !== "undefined") {
    common.connection = connection;
  }
  const state = Object.assign(
    {
      clustering: connection != null,
      triggersNotification,
      fallbackSecondaryRateRetryAfter: 60,
      retryAfterBaseValue: 1e3,
      id
    },
    octokitOptions.throttle
  );
  if (typeof state.onSecondaryRateLimit !== "function" || typeof state.onRateLimit !== "function") {
    throw new Error(`octokit/plugin-throttling error:
        You must pass the onSecondaryRateLimit and onRateLimit error handlers.
        See https://octokit.github.io/rest.js/#throttling

        const octokit = new Octokit({
          throttle: {
            onSecondaryRateLimit: (retryAfter, options) => {/* ... */},
            onRateLimit: (retryAfter, options) => {/* ... */}
          }
        })
    `);
  }
  let initialized = false;
  const initializeBottleneck = () => {
    if (initialized) {
      return;
    }
    initialized = true;
    if (groups.global == null) {
      createGroups(Bottleneck, common);
    }
    state.global = state.global ?? groups.global;
    state.auth = state.auth ?? groups.auth;
    state.search = state.search ?? groups.search;
    state.write = state.write ?? groups.write;
    state.notifications = state.notifications ?? groups.notifications;
    state.retryLimiter = state.retryLimiter ?? new Bottleneck();
    const events = {};
    const emitter = new Bottleneck.Events(events);
    events.on("secondary-limit", state.onSecondaryRateLimit);
    events.on("rate-limit", state.onRateLimit);
    events.on(
      "error",
      (e) => octokit.log.warn("Error in throttling-plugin limit handler", e)
    );
    state.retryLimiter.on("failed", async function(error2, info2) {
      const [state2, request, options] = info2.args;
      const { pathname } = new URL(options.url, "http://github.test");
      const shouldRetryGraphQL = pathname.startsWith("/graphql") && error2.status !== 401;
      if (!(shouldRetryGraphQL || error2.status === 403 || error2.status === 429)) {
        return;
      }
      const retryCount = ~~request.retryCount;
      request.retryCount = retryCount;
      options.request.retryCount = retryCount;
      const { wantRetry, retryAfter = 0 } = await (async function() {
        if (/\bsecondary rate\b/i.test(error2.message)) {
          const retryAfter2 = Number(error2.response.headers["retry-after"]) || state2.fallbackSecondaryRateRetryAfter;
          const wantRetry2 = await emitter.trigger(
            "secondary-limit",
            retryAfter2,
            options,
            octokit,
            retryCount
          );
          return { wantRetry: wantRetry2, retryAfter: retryAfter2 };
        }
        if (error2.response.headers != null && error2.response.headers["x-ratelimit-remaining"] === "0" || (error2.response.data?.errors ?? []).some(
          (error22) => error22.type === "RATE_LIMITED"
        )) {
          const rateLimitReset = new Date(
            ~~error2.response.headers["x-ratelimit-reset"] * 1e3
          ).getTime();
          const retryAfter2 = Math.max(
            // Add one second so we retry _after_ the reset time
            // https://docs.github.com/en/rest/overview/resources-in-the-rest-api?apiVersion=2022-11-28#exceeding-the-rate-limit
            Math.ceil((rateLimitReset - Date.now()) / 1e3) + 1,
            0
          );
          const wantRetry2 = await emitter.trigger(
            "rate-limit",
            retryAfter2,
            options,
            octokit,
            retryCount
          );
          return { wantRetry: wantRetry2, retryAfter: retryAfter2 };
        }
        return {};
      })();
      if (wantRetry) {
        request.retryCount++;
        return retryAfter * state2.retryAfterBaseValue;
      }
    });
  };
  octokit.hook.wrap("request", (request, options) => {
    initializeBottleneck();
    return wrapRequest(state, request, options);
  });
  return {};
}
throttling.VERSION = VERSION;
throttling.triggersNotification = triggersNotification;

// node_modules/.pnpm/@octokit+rest@22.0.1/node_modules/@octokit/rest/dist-src/version.js
var VERSION2 = "22.0.1";

// node_modules/.pnpm/@octokit+rest@22.0.1/node_modules/@octokit/rest/dist-src/index.js
var Octokit2 = Octokit.plugin(requestLog, legacyRestEndpointMethods, paginateRest).defaults(
  {
    userAgent: `octokit-rest.js/${VERSION2}`
  }
);

// packages/core/src/github/client.ts
var attemptsByRequest = /* @__PURE__ */ new WeakMap();
function countAttempts(octokit) {
  octokit.hook.wrap("request", (request, options) => {
    attemptsByRequest.set(options, (attemptsByRequest.get(options) ?? 0) + 1);
    return request(options);
  });
  return {};
}
var GenopsOctokit = Octokit2.plugin(countAttempts, retry, throttling);
var immediateGroup = {
  key: () => ({
    schedule: (...args) => {
      const at = args.findIndex((a) => typeof a === "function");
      const fn = args[at];
      return Promise.resolve().then(() => fn(...args.slice(at + 1)));
    }
  })
};
var DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];
function createGitHubClient(options) {
  const { logger } = options;
  const retries = options.retries ?? 3;
  const maxWaitSeconds = options.throttle?.maxWaitSeconds ?? 120;
  const retryAfterBaseValue = options.retryAfterBaseValue ?? 1e3;
  if (options.token.trim() === "") {
    throw new ConfigError("INPUT_MISSING", "No GitHub token was given", {
      input: "github-token",
      expected: "a token, by default ${{ github.token }}",
      hint: "Leave `github-token` unset to use the job's GITHUB_TOKEN, or pass one with `github-token: ${{ secrets.\u2026 }}`."
    });
  }
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new InternalError(`createGitHubClient: retries must be an integer from 0 to 10, got ${String(retries)}`);
  }
  const onLimit = (kind) => (retryAfter, request, _octokit, retryCount) => {
    const route = `${request.method} ${request.url}`;
    if (retryCount >= retries) {
      logger.warning(`GitHub API ${kind} on ${route}: giving up after ${retries} retries`);
      return false;
    }
    if (retryAfter > maxWaitSeconds) {
      logger.warning(
        `GitHub API ${kind} on ${route}: it resets in ${retryAfter} s, longer than the ${maxWaitSeconds} s genops waits; giving up`
      );
      return false;
    }
    logger.warning(`GitHub API ${kind} on ${route}: retrying in ${retryAfter} s (retry ${retryCount + 1} of ${retries})`);
    return true;
  };
  const octokitLog = {
    debug: (message) => logger.debug(message),
    info: (message) => logger.debug(message),
    warn: (message) => logger.warning(message),
    error: (message) => logger.debug(message)
  };
  const octokit = new GenopsOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? "https://api.github.com").replace(/\/+$/, ""),
    userAgent: options.userAgent ?? "genops",
    log: octokitLog,
    // Not `request: { retries }`: plugin-retry reads `request.retries` from every failed request
    // and, when it is set, retries whatever the status, so doNotRetry (401, 403, 404, 422 …)
    // would be ignored. The plugin's own `retry.retries` applies to retryable statuses only.
    request: { log: octokitLog },
    retry: { retries, doNotRetry: DO_NOT_RETRY, retryAfterBaseValue },
    throttle: {
      enabled: options.throttle?.enabled ?? true,
      retryAfterBaseValue,
      fallbackSecondaryRateRetryAfter: options.throttle?.fallbackSecondaryRateRetryAfter ?? 60,
      onRateLimit: onLimit("rate limit"),
      onSecondaryRateLimit: onLimit("secondary rate limit"),
      ...options.throttle?.spaceRequests === false ? { write: immediateGroup, notifications: immediateGroup, search: immediateGroup } : {}
    }
  });
  octokit.hook.error("request", (error2, requestOptions) => {
    const known = operationForRoute(requestOptions.method, requestOptions.url);
    const attempts2 = attemptsByRequest.get(requestOptions);
    throw explainApiError(error2, {
      operation: known?.operation ?? `call ${requestOptions.method} ${requestOptions.url}`,
      ...attempts2 === void 0 ? {} : { attempts: attempts2 },
      ...known === void 0 ? {} : { permission: known.permission },
      ...options.readOnlyToken === void 0 ? {} : { readOnlyToken: options.readOnlyToken }
    });
  });
  return octokit;
}

// packages/core/src/report/escape.ts
var MD_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~&"'=:@$^]/g;
function mdText(s) {
  return stripControls(s).replace(/\r\n?|\n/g, " ").replace(MD_SPECIAL, (c) => c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : c === '"' ? "&quot;" : c === "'" ? "&#39;" : `\\${c}`).replace(/\\@/g, "@\u200D");
}
function mdTableCell(s) {
  return mdText(s);
}
function mdCode(s) {
  const clean = stripControls(s).replace(/\r\n?|\n/g, " ");
  if (clean === "") return "` `";
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  const pad2 = clean.startsWith("`") || clean.endsWith("`") || clean.startsWith(" ") && clean.endsWith(" ") ? " " : "";
  return `${fence}${pad2}${clean}${pad2}${fence}`;
}
function stripControls(s) {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "");
}

// packages/core/src/action/runtime.ts
var SUMMARY_LIMIT_BYTES = 1024 * 1024;
function capSummary(markdown, limit = SUMMARY_LIMIT_BYTES) {
  if (Buffer.byteLength(markdown) <= limit) return markdown;
  const note = "\n\n> [!WARNING]\n> This summary was cut at GitHub's 1 MiB limit; the full report is in the step log and the signed artifact.\n";
  let cut = markdown.slice(0, limit - Buffer.byteLength(note) - 16);
  while (Buffer.byteLength(cut) > limit - Buffer.byteLength(note)) cut = cut.slice(0, -1024);
  return cut + note;
}
function maskSecret(rt2, value) {
  if (value === "") return;
  rt2.setSecret(value);
  for (const line of value.split(/\r?\n/)) {
    const t = line.trim();
    if (t !== "" && !t.startsWith("-----")) rt2.setSecret(t);
  }
}
function silenceBundledBufferDeprecation() {
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((...args) => {
    const [, typeOrOptions, code] = args;
    const c = typeof typeOrOptions === "object" && typeOrOptions !== null ? typeOrOptions.code : code;
    if (c === "DEP0005") return;
    emit(...args);
  });
}
function actionsRuntime() {
  silenceBundledBufferDeprecation();
  const parts = [];
  const place = (p) => {
    const props = {};
    if (p?.title !== void 0) props.title = p.title;
    if (p?.file !== void 0) props.file = p.file;
    if (p?.line !== void 0) props.startLine = p.line;
    if (p?.column !== void 0) props.startColumn = p.column;
    return props;
  };
  return {
    getInput: (name) => getInput(name),
    setOutput: (name, value) => setOutput(name, value),
    setSecret: (value) => setSecret(value),
    logger: {
      debug: (m) => debug(m),
      info: (m) => info(m),
      warning: (m) => warning(m),
      error: (m) => error(m)
    },
    annotate(level, message, p) {
      const props = place(p);
      if (level === "error") error(message, props);
      else if (level === "warning") warning(message, props);
      else notice(message, props);
    },
    appendSummary: (md) => {
      parts.push(md);
    },
    async writeSummary() {
      if (parts.length === 0 || process.env.GITHUB_STEP_SUMMARY === void 0) return;
      await summary.addRaw(capSummary(parts.join("\n")), true).write();
      parts.length = 0;
    },
    setFailed: (m) => setFailed(m),
    env: process.env
  };
}

// packages/core/src/action/run.ts
function errorSummary(step, err) {
  const d = err.details;
  const rows = [
    ["Input", d.input],
    ["File", d.file === void 0 ? void 0 : `${d.file}${d.line === void 0 ? "" : `:${d.line}`}`],
    ["Expected", d.expected],
    ["Found", d.actual],
    ["What to do", d.hint]
  ];
  const lines = [
    `### :x: genops ${mdText(step)}: ${ERROR_HEADINGS[err.kind]}`,
    "",
    `${mdCode(err.code)} ${mdText(err.message)}`,
    ""
  ];
  const present = rows.filter((r) => r[1] !== void 0);
  if (present.length > 0) {
    lines.push("| | |", "|---|---|", ...present.map(([k, v]) => `| ${k} | ${k === "Input" || k === "File" ? mdCode(v) : mdText(v)} |`), "");
  }
  if (d.docUrl !== void 0) lines.push(`Docs: ${d.docUrl}`, "");
  return lines.join("\n");
}
var ERROR_HEADINGS = {
  internal: "internal error",
  verification: "an artifact failed verification",
  blocked: "blocked by policy",
  config: "configuration problem"
};
async function runAction(rt2, step, main) {
  try {
    await main(rt2);
    return true;
  } catch (e) {
    const err = toGenopsError(e);
    const place = { title: `genops ${step}: ${err.code}` };
    if (err.details.file !== void 0 && err.kind !== "internal") place.file = err.details.file;
    if (err.details.line !== void 0) place.line = err.details.line;
    rt2.annotate("error", err.message, place);
    if (err.kind === "internal") {
      const stack = err.details.cause instanceof Error ? err.details.cause.stack : err.stack;
      if (stack !== void 0) rt2.logger.debug(stack);
    }
    rt2.appendSummary(errorSummary(step, err));
    rt2.setFailed(err.describe());
    return false;
  } finally {
    try {
      await rt2.writeSummary();
    } catch (e) {
      rt2.logger.warning(`could not write the job summary: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

// packages/core/src/action/inputs.ts
var TRUE = ["true", "True", "TRUE"];
var FALSE = ["false", "False", "FALSE"];
var InputProblems = class {
  problems = [];
  add(input, message, expected) {
    this.problems.push({ input, message, expected });
  }
  throwIfAny() {
    const first = this.problems[0];
    if (first === void 0) return;
    const lines = this.problems.map((p) => `- ${p.input}: ${p.message} (expected ${p.expected})`);
    throw new ConfigError(this.problems.some((p) => p.message === "is required") ? "INPUT_MISSING" : "INPUT_INVALID", `${this.problems.length} input problem(s):
${lines.join("\n")}`, {
      input: first.input,
      expected: first.expected,
      hint: "Fix the `with:` block of this step (see the action's README for every input)."
    });
  }
};
function boolInput(raw, name, dflt, problems) {
  const v = raw(name);
  if (v === "") return dflt;
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  problems.add(name, `is ${JSON.stringify(v)}`, "true or false");
  return dflt;
}
function listInput(raw, name) {
  return raw(name).split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== "" && !s.startsWith("#"));
}
function enumInput(raw, name, allowed, dflt, problems) {
  const v = raw(name);
  if (v === "") return dflt;
  if (allowed.includes(v)) return v;
  problems.add(name, `is ${JSON.stringify(v)}`, `one of ${allowed.join(", ")}`);
  return dflt;
}
function intInput(raw, name, dflt, min, max, problems) {
  const v = raw(name);
  if (v === "") return dflt;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    problems.add(name, `is ${JSON.stringify(v)}`, `a whole number from ${min} to ${max}`);
    return dflt;
  }
  return Number(v);
}

// packages/core/src/action/signing-inputs.ts
var DEFAULT_FULCIO_URL = "https://fulcio.sigstore.dev";
var DEFAULT_REKOR_URL = "https://rekor.sigstore.dev";
var SIGNING_INPUTS = ["signing-mode", "signing-key", "fulcio-url", "rekor-url"];
function parseSigningInputs(raw, problems) {
  const key = raw("signing-key");
  const mode = enumInput(raw, "signing-mode", ["auto", "key", "keyless"], "auto", problems);
  const resolved = mode === "auto" ? key === "" ? "keyless" : "key" : mode;
  if (resolved === "key") {
    if (key === "") problems.add("signing-key", "is required when signing-mode is key", "a PEM ECDSA P-256 private key, from a secret");
    return { mode: "key", privateKeyPem: key, source: "signing-key" };
  }
  return { mode: "keyless", fulcioUrl: raw("fulcio-url") || DEFAULT_FULCIO_URL, rekorUrl: raw("rekor-url") || DEFAULT_REKOR_URL };
}

// packages/core/src/action/verification.ts
import { readFile as readFile2 } from "node:fs/promises";
var VERIFICATION_INPUTS = [
  "artifacts",
  "artifact-name",
  "artifact-digest",
  "predicate-type",
  "subject-sha",
  "subject-digest",
  "public-keys",
  "certificate-identity",
  "certificate-oidc-issuer",
  "certificate-repository",
  "same-run",
  "trusted-root",
  "max-artifact-bytes"
];
var PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;
function publicKeyPems(text) {
  return text.match(PEM_BLOCK) ?? [];
}
function resolvePredicateType(s) {
  if (s.includes("://")) return s;
  return PredicateTypes[s];
}
function parseVerificationInputs(raw, problems) {
  const predicateTypes = [];
  for (const p of listInput(raw, "predicate-type")) {
    const t = resolvePredicateType(p);
    if (t === void 0) problems.add("predicate-type", `${JSON.stringify(p)} is not a known predicate type`, `one of ${Object.keys(PredicateTypes).join(", ")} or a predicate type URI`);
    else predicateTypes.push(t);
  }
  if (predicateTypes.length === 0 && raw("predicate-type") === "") problems.add("predicate-type", "is required", `the kind of artifact this step expects: ${Object.keys(PredicateTypes).join(", ")}`);
  const paths = listInput(raw, "artifacts");
  const names = listInput(raw, "artifact-name");
  if (paths.length === 0 && names.length === 0) problems.add("artifacts", "is required (or artifact-name)", "the upstream step's artifact-path output, a glob, or a workflow artifact name");
  const expectedDigests = listInput(raw, "artifact-digest");
  if (expectedDigests.length === 0) problems.add("artifact-digest", "is required", "the upstream step's artifact-digest output, passed through job outputs");
  const subjectSha = raw("subject-sha");
  if (subjectSha !== "" && !/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(subjectSha)) problems.add("subject-sha", `is ${JSON.stringify(subjectSha)}`, "a full 40-character commit SHA");
  const subjectDigest = raw("subject-digest").replace(/^sha256:/, "");
  if (subjectDigest !== "" && !/^[0-9a-f]{64}$/i.test(subjectDigest)) problems.add("subject-digest", "is not a sha256 digest", "sha256:<64 hex chars> of the built artifact");
  const publicKeysPem = publicKeyPems(raw("public-keys"));
  if (raw("public-keys") !== "" && publicKeysPem.length === 0) problems.add("public-keys", "holds no PEM public key", 'one or more "-----BEGIN PUBLIC KEY-----" blocks');
  const sameRun = boolInput(raw, "same-run", true, problems);
  const cfg = {
    paths,
    names,
    expectedDigests,
    predicateTypes,
    publicKeysPem,
    maxBytes: intInput(raw, "max-artifact-bytes", DEFAULT_MAX_ARTIFACT_BYTES, 1024, 512 * 1024 * 1024, problems)
  };
  if (subjectSha !== "") cfg.subjectSha = subjectSha.toLowerCase();
  if (subjectDigest !== "") cfg.subjectDigest = subjectDigest.toLowerCase();
  if (publicKeysPem.length === 0) {
    const identity = { issuer: raw("certificate-oidc-issuer") || GITHUB_ACTIONS_ISSUER, sameRun };
    const san = raw("certificate-identity");
    const repo = raw("certificate-repository");
    if (san !== "") identity.san = san;
    if (repo !== "") identity.repository = repo;
    cfg.identity = identity;
  } else if (raw("certificate-identity") !== "") {
    problems.add("certificate-identity", "is set together with public-keys", "either public-keys (key mode) or certificate-identity (keyless), not both");
  }
  const tr = raw("trusted-root");
  if (tr !== "") cfg.trustedRootPath = tr;
  return cfg;
}
async function buildTrustPolicy(cfg, deps) {
  if (cfg.identity === void 0) {
    return { mode: "key", keys: cfg.publicKeysPem.map((pem, i) => loadPublicKey(pem, `public-keys[${i}]`)) };
  }
  const ctx = deps.context;
  const identity = {
    subjectAlternativeName: cfg.identity.san ?? `${ctx.serverUrl}/${ctx.workflowRef}`,
    issuer: cfg.identity.issuer,
    repositoryUri: `${ctx.serverUrl}/${cfg.identity.repository ?? ctx.repository.fullName}`
  };
  if (cfg.identity.sameRun) identity.runInvocationUri = `${ctx.serverUrl}/${ctx.repository.fullName}/actions/runs/${ctx.runId}/attempts/${ctx.runAttempt}`;
  const trustedRoot = cfg.trustedRootPath === void 0 ? PUBLIC_GOOD_TRUSTED_ROOT : await readTrustedRoot(cfg.trustedRootPath, deps.readTextFile ?? ((p) => readFile2(p, "utf8")), "trusted-root");
  return { mode: "keyless", trustedRoot, identity };
}
async function verifyUpstream(cfg, deps, reportAll) {
  const trust = await buildTrustPolicy(cfg, deps);
  const files = await resolveArtifactFiles(deps.fs, { paths: cfg.paths, names: cfg.names, downloadDir: deps.tempDir }, deps.artifactClient);
  const subject = { gitCommit: cfg.subjectSha ?? deps.context.subjectSha };
  if (cfg.subjectDigest !== void 0) subject.sha256 = cfg.subjectDigest;
  return verifyHandoff(deps.fs, {
    files,
    expectedDigests: cfg.expectedDigests,
    policy: { trust, predicateType: cfg.predicateTypes, subject, now: deps.clock.now(), maxBytes: cfg.maxBytes },
    ...reportAll === void 0 ? {} : { reportAll }
  });
}

// packages/core/src/action/deps.ts
import { readFile as readFile3, readdir } from "node:fs/promises";
import { join } from "node:path";
async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
function actionsArtifactClient() {
  return {
    async download(name, destination) {
      const { DefaultArtifactClient, ArtifactNotFoundError } = await import("./chunks/artifact-WQBSXDF7.js");
      const client = new DefaultArtifactClient();
      let found2;
      try {
        found2 = (await client.getArtifact(name)).artifact;
      } catch (e) {
        if (!(e instanceof ArtifactNotFoundError)) throw e;
        throw new VerificationError("ARTIFACT_NOT_FOUND", `this workflow run has no artifact named ${JSON.stringify(name)}`, {
          input: "artifact-name",
          expected: "the name an upstream job of this run gave actions/upload-artifact (v4 or later)",
          hint: "Check the name against the upstream job's upload-artifact step, that this job `needs:` that job, and that the artifact has not expired.",
          cause: e
        });
      }
      const { downloadPath, digestMismatch } = await client.downloadArtifact(found2.id, {
        path: destination,
        ...found2.digest === void 0 ? {} : { expectedHash: found2.digest }
      });
      if (digestMismatch === true) {
        throw new VerificationError("DIGEST_MISMATCH", `workflow artifact ${JSON.stringify(name)} changed between upload and download`, {
          input: "artifact-name",
          hint: "Re-run the job; if it persists, the artifact storage returned different bytes than were uploaded."
        });
      }
      return listFiles(downloadPath ?? destination);
    }
  };
}
async function actionBaseDeps(rt2) {
  const env = rt2.env;
  const context = await readContextFromEnv(env, (p) => readFile3(p, "utf8"));
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  return { context, fs: nodeFileSystem(workspace), clock: systemClock, workspace };
}
async function actionDeps(rt2) {
  const base = await actionBaseDeps(rt2);
  return {
    context: base.context,
    fs: base.fs,
    clock: base.clock,
    artifactClient: actionsArtifactClient(),
    tempDir: rt2.env.RUNNER_TEMP ?? join(base.workspace, ".genops-tmp")
  };
}
function actionGitHubClient(rt2, ctx) {
  return (token) => createGitHubClient({ token, baseUrl: ctx.apiUrl, logger: rt2.logger, readOnlyToken: ctx.isReadOnlyToken });
}

// packages/core/src/action/audit-step.ts
import { isAbsolute as isAbsolute2, join as join2 } from "node:path";

// packages/core/src/audit/checkpoint.ts
var import_bundle = __toESM(require_dist(), 1);
var CHECKPOINT_PREDICATE_TYPE = "https://genops.dev/attestations/audit-checkpoint/v1";
var ORIGIN_RE = /^[\x21-\x7e][\x20-\x7e]*$/;
function checkOrigin(origin) {
  if (!ORIGIN_RE.test(origin) || origin.length > 200) return "an origin is one line of printable ASCII (at most 200 characters), e.g. github.com/acme/payments/genops-audit";
  return void 0;
}
function checkpointNote(cp) {
  return `${cp.origin}
${cp.size}
${Buffer.from(cp.rootHash, "hex").toString("base64")}
`;
}
function parseCheckpointNote(note) {
  const lines = note.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "") return void 0;
  const [origin, sizeText, rootB64] = lines;
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) return void 0;
  const root = Buffer.from(rootB64, "base64");
  if (root.length !== 32 || root.toString("base64") !== rootB64) return void 0;
  return { origin, size: Number(sizeText), rootHash: root.toString("hex") };
}
function checkpointStatement(cp) {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: cp.origin, digest: { sha256: cp.rootHash } }],
    predicateType: CHECKPOINT_PREDICATE_TYPE,
    predicate: { ...cp, note: checkpointNote(cp) }
  };
}
async function signCheckpoint(cp, signer) {
  const statement = checkpointStatement(cp);
  const bundle = await signer.sign(Buffer.from(canonicalJson(statement), "utf8"));
  return { note: statement.predicate.note, bundle };
}
function bad(source, message, hint, code = "STATEMENT_INVALID", cause) {
  throw new VerificationError(code, `${source}: ${message}`, { file: source, hint, docUrl: "docs/audit.md#checkpoints", ...cause === void 0 ? {} : { cause } });
}
function isRecord3(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function decodeCheckpoint(stored, source) {
  if (!isRecord3(stored) || typeof stored["note"] !== "string" || !isRecord3(stored["bundle"])) {
    bad(source, "is not a signed checkpoint ({ note, bundle })", "Pass a checkpoint written by genops audit append (a line of the .checkpoints.jsonl file).");
  }
  const bundle = stored["bundle"];
  const env = bundle.dsseEnvelope;
  if (env === void 0 || typeof env.payload !== "string" || env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    bad(source, "has no in-toto DSSE envelope", "The checkpoint file is damaged or is not a genops checkpoint.");
  }
  const payload = Buffer.from(env.payload, "base64").toString("utf8");
  let st;
  try {
    st = JSON.parse(payload);
  } catch (e) {
    bad(source, "has a signed payload that is not JSON", "The checkpoint file is damaged.", "STATEMENT_INVALID", e);
  }
  if (!isRecord3(st) || st["_type"] !== STATEMENT_TYPE || st["predicateType"] !== CHECKPOINT_PREDICATE_TYPE || !isRecord3(st["predicate"])) {
    bad(source, `is not a ${CHECKPOINT_PREDICATE_TYPE} statement`, "Pass a genops ledger checkpoint.");
  }
  const p = st["predicate"];
  const parsed = typeof p["note"] === "string" ? parseCheckpointNote(p["note"]) : void 0;
  if (parsed === void 0 || p["note"] !== stored["note"] || p["origin"] !== parsed.origin || p["size"] !== parsed.size || p["rootHash"] !== parsed.rootHash || typeof p["lastEntryHash"] !== "string" || typeof p["issuedAt"] !== "string") {
    bad(source, "has a note that disagrees with its signed fields", "The checkpoint was edited after signing; take it from the store again.");
  }
  const checkpoint = { origin: parsed.origin, size: parsed.size, rootHash: parsed.rootHash, lastEntryHash: p["lastEntryHash"], issuedAt: p["issuedAt"] };
  return { checkpoint, bundle, payload };
}

// packages/core/src/audit/attest.ts
var LEDGER_ATTESTATION_PREDICATE_TYPE = "https://genops.dev/attestations/audit-entry/v1";
function decisionAttestationRequest(entry, checkpoint) {
  if (entry.decision === void 0) throw new ConfigError("INPUT_INVALID", `entry ${entry.seq} is a ${entry.artifact.kind} entry; only decisions are attested`, { hint: "Call attestDecision for decision entries." });
  return {
    subjects: [
      { name: `git+${entry.change.repository}`, digest: { gitCommit: entry.change.gitSha } },
      { name: `genops-decision-${entry.decision.key}`, digest: { sha256: entry.artifact.digest } }
    ],
    predicateType: LEDGER_ATTESTATION_PREDICATE_TYPE,
    predicate: {
      ledger: { origin: entry.origin, seq: entry.seq, entryHash: entry.entryHash, recordedAt: entry.recordedAt },
      checkpoint: { note: checkpoint.note },
      decision: entry.decision,
      change: entry.change,
      ...entry.actor === void 0 ? {} : { actor: entry.actor },
      ...entry.approver === void 0 ? {} : { approver: entry.approver },
      ...entry.ticket === void 0 ? {} : { ticket: entry.ticket },
      breakGlass: entry.breakGlass,
      exception: entry.exception
    }
  };
}
function explainAttestError(e) {
  if (isGenopsError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/ACTIONS_ID_TOKEN_REQUEST_URL|id-token|OIDC/i.test(message)) {
    return new ConfigError("PERMISSION_MISSING", `cannot attest the decision: the job has no OIDC token (${message})`, {
      input: "attest",
      expected: "`id-token: write` under `permissions:`",
      hint: "Add to the job:\n\npermissions:\n  id-token: write\n  attestations: write\n\nFork pull requests never get an OIDC token; publish the ledger from a trusted workflow.",
      docUrl: "docs/audit.md#attestations",
      cause: e
    });
  }
  if (/Failed to persist attestation/.test(message)) {
    if (/not accessible|403|permission/i.test(message)) {
      return new ConfigError("PERMISSION_MISSING", `cannot store the attestation: the token lacks \`attestations: write\` (${message})`, {
        input: "github-token",
        expected: "`attestations: write` under `permissions:`",
        hint: "Add `attestations: write` to the job's permissions. Private repositories need a plan with artifact attestations.",
        docUrl: "docs/audit.md#attestations",
        cause: e
      });
    }
    return new ConfigError("API_UNAVAILABLE", `cannot store the attestation: ${message}`, { hint: "Re-run the job later; the ledger entry itself was written.", cause: e });
  }
  return new ConfigError("SIGNING_UNAVAILABLE", `attesting the decision failed: ${message}`, { hint: "Sigstore or GitHub could not be reached; re-run the job. The ledger entry itself was written.", cause: e });
}
function actionsLedgerAttestor(attest, options) {
  return {
    async attestDecision(entry, checkpoint) {
      const request = decisionAttestationRequest(entry, checkpoint);
      try {
        const result = await attest({ ...request, token: options.token, ...options.sigstore === void 0 ? {} : { sigstore: options.sigstore } });
        return { seq: entry.seq, ...result.attestationID === void 0 ? {} : { attestationId: result.attestationID }, ...result.tlogID === void 0 ? {} : { tlogId: result.tlogID } };
      } catch (e) {
        throw explainAttestError(e);
      }
    }
  };
}

// packages/core/src/audit/ledger.ts
var import_bundle3 = __toESM(require_dist(), 1);

// packages/core/src/audit/merkle.ts
import { createHash } from "node:crypto";
var LEAF_PREFIX = Buffer.from([0]);
var NODE_PREFIX = Buffer.from([1]);
function nodeHash(left, right) {
  return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
}
var EMPTY_ROOT = createHash("sha256").digest();
function emptyRange() {
  return { size: 0, hashes: [] };
}
function popCount(n) {
  let c = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) c += x % 2;
  return c;
}
function isValidRange(range) {
  return Number.isSafeInteger(range.size) && range.size >= 0 && Array.isArray(range.hashes) && range.hashes.length === popCount(range.size) && range.hashes.every((h) => typeof h === "string" && /^[0-9a-f]{64}$/.test(h));
}
var MerkleFrontier = class {
  stack;
  count;
  /** Node hashes computed by push() so far. */
  nodeHashes = 0;
  constructor(range = emptyRange()) {
    this.stack = range.hashes.map((h) => Buffer.from(h, "hex"));
    this.count = range.size;
  }
  get size() {
    return this.count;
  }
  /** Adds a leaf hash (already leafHash-ed). */
  push(leaf) {
    let hash = leaf;
    for (let n = this.count; n % 2 === 1; n = (n - 1) / 2) {
      const left = this.stack.pop();
      if (left === void 0) throw new Error("compact range is inconsistent with its size");
      hash = nodeHash(left, hash);
      this.nodeHashes++;
    }
    this.stack.push(hash);
    this.count++;
  }
  root() {
    const last = this.stack.length - 1;
    if (last < 0) return EMPTY_ROOT;
    let hash = this.stack[last];
    for (let i = last - 1; i >= 0; i--) hash = nodeHash(this.stack[i], hash);
    return hash;
  }
  toRange() {
    return { size: this.count, hashes: this.stack.map((h) => h.toString("hex")) };
  }
};

// packages/core/src/audit/model.ts
import { createHash as createHash2 } from "node:crypto";
var LEAF_BYTE = Buffer.from([0]);
var LEDGER_ENTRY_VERSION = 1;
var GENESIS_HASH = "0".repeat(64);
var LINE_PREFIX = '{"entryHash":"';
var LINE_MIDDLE = '","entry":';
var BODY_OFFSET = LINE_PREFIX.length + 64 + LINE_MIDDLE.length;
function entryHashOf(bodyJson) {
  return createHash2("sha256").update(LEAF_BYTE).update(bodyJson, "utf8").digest("hex");
}
function encodeEntry(body) {
  const json = canonicalJson(body);
  const entryHash = entryHashOf(json);
  return { line: `${LINE_PREFIX}${entryHash}${LINE_MIDDLE}${json}}`, entryHash };
}
function isRecord4(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
var HEX64 = /^[0-9a-f]{64}$/;
function entryProblem(e) {
  if (e["v"] !== LEDGER_ENTRY_VERSION) return `entry version ${JSON.stringify(e["v"])} is not ${LEDGER_ENTRY_VERSION}`;
  if (typeof e["origin"] !== "string" || e["origin"] === "") return "origin is missing";
  if (!Number.isSafeInteger(e["seq"]) || e["seq"] < 0) return "seq is not a non-negative integer";
  if (typeof e["prevHash"] !== "string" || !HEX64.test(e["prevHash"])) return "prevHash is not a sha256 hex";
  if (typeof e["recordedAt"] !== "string" || Number.isNaN(Date.parse(e["recordedAt"]))) return "recordedAt is not a timestamp";
  if (typeof e["breakGlass"] !== "boolean" || typeof e["exception"] !== "boolean") return "breakGlass / exception flags are missing";
  const a = e["artifact"];
  if (!isRecord4(a)) return "artifact is missing";
  if (typeof a["digest"] !== "string" || !HEX64.test(a["digest"])) return "artifact.digest is not a sha256 hex";
  if (typeof a["predicateType"] !== "string" || typeof a["kind"] !== "string") return "artifact.kind / predicateType missing";
  if (!isRecord4(a["bundle"])) return "artifact.bundle is missing";
  const c = e["change"];
  if (!isRecord4(c) || typeof c["repository"] !== "string" || typeof c["gitSha"] !== "string") return "change.repository / change.gitSha missing";
  return void 0;
}
function decodeLine(line) {
  if (!line.startsWith(LINE_PREFIX) || line.slice(LINE_PREFIX.length + 64, BODY_OFFSET) !== LINE_MIDDLE || !line.endsWith("}")) {
    return { ok: false, reason: 'is not a ledger line ({"entryHash":"<64 hex>","entry":{...}})' };
  }
  const storedHash = line.slice(LINE_PREFIX.length, LINE_PREFIX.length + 64);
  const bodyJson = line.slice(BODY_OFFSET, -1);
  let body;
  try {
    body = JSON.parse(bodyJson);
  } catch (e) {
    return { ok: false, reason: `has an entry that is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!isRecord4(body)) return { ok: false, reason: "has an entry that is not a JSON object" };
  const problem = entryProblem(body);
  const seq = Number.isSafeInteger(body["seq"]) ? body["seq"] : void 0;
  if (problem !== void 0) return { ok: false, reason: `has a malformed entry: ${problem}`, ...seq === void 0 ? {} : { seq } };
  if (!HEX64.test(storedHash)) return { ok: false, reason: "has an entryHash that is not a sha256 hex", ...seq === void 0 ? {} : { seq } };
  const computedHash = entryHashOf(bodyJson);
  return { ok: true, entry: { ...body, entryHash: storedHash }, storedHash, computedHash };
}

// packages/core/src/audit/rekor.ts
var import_bundle2 = __toESM(require_dist(), 1);
function tlogEntryOf(bundle) {
  const entries = bundle.verificationMaterial?.tlogEntries;
  return entries?.[0];
}
function rekorRecordOf(bundle) {
  const t = tlogEntryOf(bundle);
  if (t?.logIndex === void 0 || t.logId?.keyId === void 0 || t.integratedTime === void 0) return void 0;
  const record = {
    logIndex: t.logIndex,
    logId: Buffer.from(t.logId.keyId, "base64").toString("hex"),
    integratedTime: t.integratedTime,
    integratedAt: new Date(Number(t.integratedTime) * 1e3).toISOString()
  };
  const p = t.inclusionProof;
  if (p?.rootHash !== void 0 && p.treeSize !== void 0 && p.checkpoint?.envelope !== void 0) {
    record.inclusionProof = { logIndex: p.logIndex ?? "0", treeSize: p.treeSize, rootHash: p.rootHash, hashes: p.hashes ?? [], checkpoint: p.checkpoint.envelope };
  }
  return record;
}

// packages/core/src/audit/ledger.ts
function emptyHead(origin) {
  return { origin, size: 0, lastEntryHash: GENESIS_HASH, range: emptyRange() };
}
function parseHead(value, source) {
  const fail = (why) => {
    throw new VerificationError("STATEMENT_INVALID", `${source}: the ledger state ${why}`, {
      file: source,
      hint: "The state file was damaged or edited. Run `genops audit verify` on the ledger; the state can be rebuilt from a verified ledger.",
      docUrl: "docs/audit.md#stores"
    });
  };
  if (typeof value !== "object" || value === null) return fail("is not a JSON object");
  const v = value;
  if (typeof v.origin !== "string" || typeof v.size !== "number" || typeof v.lastEntryHash !== "string" || v.range === void 0 || !isValidRange(v.range)) {
    return fail("lacks origin, size, lastEntryHash or a valid compact range");
  }
  if (v.range.size !== v.size) return fail(`has a compact range of ${v.range.size} leaves for ${v.size} entries`);
  const head = { origin: v.origin, size: v.size, lastEntryHash: v.lastEntryHash, range: v.range };
  if (v.size > 0) {
    if (v.checkpoint === void 0) return fail("has entries but no checkpoint");
    const { checkpoint } = decodeCheckpoint(v.checkpoint, `${source} (checkpoint)`);
    const root = new MerkleFrontier(v.range).root().toString("hex");
    if (checkpoint.size !== v.size || checkpoint.rootHash !== root || checkpoint.lastEntryHash !== v.lastEntryHash || checkpoint.origin !== v.origin) {
      return fail(`disagrees with its checkpoint (state: ${v.size} entries, root ${root}; checkpoint: ${checkpoint.size} entries, root ${checkpoint.rootHash})`);
    }
    head.checkpoint = v.checkpoint;
  }
  return head;
}
var KIND_BY_TYPE = {
  [PredicateTypes.evidence]: "evidence",
  [PredicateTypes.risk]: "risk",
  [PredicateTypes.decision]: "decision",
  [PredicateTypes.canary]: "canary"
};
var LEDGER_PREDICATE_TYPES = Object.keys(KIND_BY_TYPE);
function decisionSummary(p) {
  const s = {
    decision: p.decision,
    key: p.key,
    environment: p.environment,
    evaluatedAt: p.change.evaluatedAt,
    policyBundleDigest: p.policy.bundleDigest,
    policySets: p.policy.sets.map((x) => x.name),
    counts: p.counts,
    exceptions: p.exceptions.applied.map((x) => ({ name: x.name, ticket: x.ticket, approvedBy: x.approvedBy, rules: x.excused ?? x.rules, expiresAt: x.expiresAt }))
  };
  if (p.requiredEnvironment !== void 0) s.requiredEnvironment = p.requiredEnvironment;
  if (p.risk !== void 0) s.risk = { score: p.risk.score, tier: p.risk.tier };
  if (p.breakGlass !== void 0) {
    const b = p.breakGlass;
    s.breakGlass = { by: b.by, source: b.source, reason: b.reason, overridden: b.overridden, grantedAt: b.grantedAt, ...b.followUp === void 0 ? {} : { followUp: b.followUp.url } };
  }
  return s;
}
function canarySummary(p) {
  const outcome = p["outcome"];
  if (outcome !== "promoted" && outcome !== "rolled-back" && outcome !== "inconclusive") return void 0;
  const s = { outcome };
  if (typeof p["environment"] === "string") s.environment = p["environment"];
  const finished = p["finishedAt"] ?? p["completedAt"];
  if (typeof finished === "string" && !Number.isNaN(Date.parse(finished))) s.finishedAt = finished;
  return s;
}
function entryFields(a, ctx) {
  const kind = KIND_BY_TYPE[a.statement.predicateType];
  if (kind === void 0) {
    throw new VerificationError("PREDICATE_TYPE_MISMATCH", `${a.source}: a ${a.statement.predicateType} artifact is not recorded in the audit ledger`, {
      file: a.source,
      expected: LEDGER_PREDICATE_TYPES.join(", "),
      hint: "Append the evidence, risk, decision and canary artifacts of the run."
    });
  }
  const header2 = a.statement.predicate.header;
  const run = header2.run;
  const gitSha = a.statement.subject.find((s) => s.digest.gitCommit !== void 0)?.digest.gitCommit ?? run.sha;
  const change = { repository: run.repository, gitSha, ref: run.ref, runId: run.runId, runAttempt: run.runAttempt, workflowRef: run.workflowRef, event: run.event };
  if (ctx.committedAt !== void 0) change.committedAt = ctx.committedAt;
  const rekor = rekorRecordOf(a.bundle);
  const fields = {
    artifact: { kind, predicateType: a.statement.predicateType, digest: a.digest, createdAt: header2.createdAt, signer: a.signer, bundle: a.bundle, ...rekor === void 0 ? {} : { rekor } },
    change,
    breakGlass: false,
    exception: false
  };
  const actor = ctx.actor ?? run.actor;
  if (actor !== void 0) fields.actor = actor;
  if (kind === "decision") {
    const d = a.statement.predicate;
    const summary2 = decisionSummary(d);
    fields.decision = summary2;
    fields.author = d.change.author;
    if (d.change.pullRequest !== void 0) change.pullRequest = d.change.pullRequest;
    fields.environment = ctx.environment ?? d.environment;
    fields.breakGlass = summary2.breakGlass !== void 0;
    fields.exception = summary2.exceptions.length > 0;
    const approver = ctx.approver ?? summary2.breakGlass?.by;
    if (approver !== void 0) fields.approver = approver;
    const ticket = ctx.ticket ?? summary2.exceptions[0]?.ticket;
    if (ticket !== void 0) fields.ticket = ticket;
    return fields;
  }
  if (kind === "canary") {
    const c = canarySummary(a.statement.predicate);
    if (c !== void 0) fields.canary = c;
    const env = ctx.environment ?? c?.environment;
    if (env !== void 0) fields.environment = env;
  } else if (ctx.environment !== void 0) {
    fields.environment = ctx.environment;
  }
  if (ctx.approver !== void 0) fields.approver = ctx.approver;
  if (ctx.ticket !== void 0) fields.ticket = ctx.ticket;
  return fields;
}
async function buildAppend(head, artifacts, ctx, opts) {
  if (artifacts.length === 0) throw new VerificationError("ARTIFACT_NOT_FOUND", "nothing to append: no artifacts were given", { hint: "Pass the run's evidence, risk, decision and canary bundles." });
  const frontier = new MerkleFrontier(head.range);
  const recordedAt = opts.now.toISOString();
  let prevHash = head.lastEntryHash;
  const lines = [];
  const entries = [];
  for (const a of artifacts) {
    const body = { v: LEDGER_ENTRY_VERSION, origin: head.origin, seq: head.size + entries.length, prevHash, recordedAt, ...entryFields(a, ctx) };
    const { line, entryHash } = encodeEntry(body);
    frontier.push(Buffer.from(entryHash, "hex"));
    lines.push(line);
    entries.push({ ...body, entryHash });
    prevHash = entryHash;
  }
  const checkpoint = { origin: head.origin, size: frontier.size, rootHash: frontier.root().toString("hex"), lastEntryHash: prevHash, issuedAt: recordedAt };
  const signed = await signCheckpoint(checkpoint, opts.signer);
  return { lines, entries, checkpoint: signed, head: { origin: head.origin, size: frontier.size, lastEntryHash: prevHash, range: frontier.toRange(), checkpoint: signed } };
}
async function appendToLedger(store, artifacts, ctx, opts) {
  const originProblem = checkOrigin(opts.origin);
  if (originProblem !== void 0) throw new VerificationError("STATEMENT_INVALID", `ledger origin ${JSON.stringify(opts.origin)} is not valid: ${originProblem}`, { input: "--origin" });
  return store.commit(async (head) => {
    if (head !== void 0 && head.origin !== opts.origin) {
      throw new VerificationError("SUBJECT_MISMATCH", `${store.description} is the ledger of ${head.origin}, not ${opts.origin}`, { expected: opts.origin, actual: head.origin, hint: "Each ledger has one origin; pass the one it was created with (--origin), or use another ledger." });
    }
    return buildAppend(head ?? emptyHead(opts.origin), artifacts, ctx, opts);
  });
}
var LEDGER_VERIFY_OUTCOME = { consequence: "nothing was appended", hint: "Every artifact of the run must verify before the ledger records any of them." };

// packages/core/src/audit/store-git.ts
var SHARD = 1e3;
function pad(n, width) {
  return String(n).padStart(width, "0");
}
function gitEntryPath(dir, seq) {
  return `${dir}/entries/${pad(Math.floor(seq / SHARD), 9)}/${pad(seq, 12)}.json`;
}
function gitIndexPath(dir, digest) {
  return `${dir}/index/${digest.slice(0, 2)}/${digest}`;
}
function gitCheckpointPath(dir, size) {
  return `${dir}/checkpoints/${pad(Math.floor(size / SHARD), 9)}/${pad(size, 12)}.json`;
}
function statusOf(e) {
  const o = e;
  if (typeof o.status === "number") return o.status;
  const s = o.details?.cause?.status;
  return typeof s === "number" ? s : void 0;
}
function messageOf(e) {
  const o = e;
  const parts = [o.response?.data?.message, o.details?.cause?.response?.data?.message, o.details?.cause?.message, o.message];
  return parts.filter((p) => typeof p === "string").join(" | ");
}
function isRefConflict(e) {
  const status = statusOf(e);
  return (status === 422 || status === 409) && /fast.forward|already exists|reference cannot be updated|ref.*(changed|moved)/i.test(messageOf(e));
}
function gitLedgerStore(gh, options) {
  const branch = options.branch ?? "genops-audit";
  const dir = (options.dir ?? "ledger").replace(/^\/+|\/+$/g, "");
  const ref = `heads/${branch}`;
  const repo = { owner: options.owner, repo: options.repo };
  const maxAttempts = options.maxAttempts ?? 30;
  const sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const description = `${options.owner}/${options.repo}@${branch}:${dir}`;
  const stats = { attempts: 0, conflicts: 0 };
  async function headCommit() {
    try {
      const { data } = await gh.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...repo, ref });
      return data.object.sha;
    } catch (e) {
      if (statusOf(e) === 404) return void 0;
      throw e;
    }
  }
  async function treeOf(commitSha) {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...repo, commit_sha: commitSha });
    return data.tree.sha;
  }
  async function listTree(treeSha, recursive) {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", { ...repo, tree_sha: treeSha, ...recursive ? { recursive: "1" } : {} });
    const d = data;
    if (d.truncated === true) {
      throw new ConfigError("INPUT_INVALID", `${description}: GitHub truncated the tree listing`, { hint: "Verify a clone of the branch instead (git clone --branch), see docs/audit.md#git-branch." });
    }
    return d.tree;
  }
  async function findPath(treeSha, path2) {
    let current = treeSha;
    const parts = path2.split("/");
    for (const [i, name] of parts.entries()) {
      const item = (await listTree(current, false)).find((t) => t.path === name);
      if (item === void 0) return void 0;
      if (i === parts.length - 1) return item.sha;
      current = item.sha;
    }
    return void 0;
  }
  async function blobText(sha) {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { ...repo, file_sha: sha });
    const d = data;
    return d.encoding === "base64" ? Buffer.from(d.content, "base64").toString("utf8") : d.content;
  }
  async function readAt(commitSha) {
    if (commitSha === void 0) return { head: void 0, tree: void 0 };
    const tree = await treeOf(commitSha);
    const stateSha = await findPath(tree, `${dir}/state.json`);
    if (stateSha === void 0) return { head: void 0, tree };
    let json;
    try {
      json = JSON.parse(await blobText(stateSha));
    } catch (e) {
      throw new VerificationError("ARTIFACT_MALFORMED", `${description}/state.json is not JSON`, { hint: "The audit branch was edited by hand; restore it from its history.", cause: e });
    }
    return { head: parseHead(json, `${description}/state.json`), tree };
  }
  async function writeCommit(parent, baseTree, result) {
    const items = [
      ...result.entries.map((e, i) => ({ path: gitEntryPath(dir, e.seq), mode: "100644", type: "blob", content: `${result.lines[i] ?? ""}
` })),
      ...result.entries.map((e) => ({ path: gitIndexPath(dir, e.artifact.digest), mode: "100644", type: "blob", content: `${String(e.seq)}
` })),
      { path: gitCheckpointPath(dir, result.head.size), mode: "100644", type: "blob", content: `${JSON.stringify(result.checkpoint)}
` },
      { path: `${dir}/state.json`, mode: "100644", type: "blob", content: `${JSON.stringify(result.head)}
` }
    ];
    const { data: tree } = await gh.request("POST /repos/{owner}/{repo}/git/trees", { ...repo, tree: items, ...baseTree === void 0 ? {} : { base_tree: baseTree } });
    const message = `genops audit: ${result.entries.length} entr${result.entries.length === 1 ? "y" : "ies"}, size ${result.head.size}

${result.checkpoint.note}`;
    const { data: commit } = await gh.request("POST /repos/{owner}/{repo}/git/commits", {
      ...repo,
      message,
      tree: tree.sha,
      parents: parent === void 0 ? [] : [parent],
      ...options.committer === void 0 ? {} : { author: options.committer, committer: options.committer }
    });
    return commit.sha;
  }
  async function* linesUnder(folder) {
    const commit = await headCommit();
    if (commit === void 0) return;
    const tree = await treeOf(commit);
    const folderSha = await findPath(tree, folder);
    if (folderSha === void 0) return;
    const files = (await listTree(folderSha, true)).filter((t) => t.type === "blob").sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    for (const f of files) {
      for (const l of (await blobText(f.sha)).split("\n")) if (l !== "") yield l;
    }
  }
  return {
    description,
    ref,
    stats,
    async readHead() {
      return (await readAt(await headCommit())).head;
    },
    async commit(build2) {
      for (let attempt = 1; ; attempt++) {
        stats.attempts++;
        const parent = await headCommit();
        const { head, tree } = await readAt(parent);
        const result = await build2(head);
        const sha = await writeCommit(parent, tree, result);
        try {
          if (parent === void 0) await gh.request("POST /repos/{owner}/{repo}/git/refs", { ...repo, ref: `refs/${ref}`, sha });
          else await gh.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...repo, ref, sha, force: false });
          return result;
        } catch (e) {
          if (!isRefConflict(e)) throw e;
          stats.conflicts++;
          if (attempt >= maxAttempts) {
            throw new ConfigError("API_UNAVAILABLE", `${description}: gave up appending after ${attempt} attempts; other runs moved the branch each time`, {
              hint: "Many runs append at once. Re-run the job; it appends on top of whatever the others wrote.",
              cause: e
            });
          }
          const ms = Math.floor(random() * Math.min(2e3, 25 * 2 ** Math.min(attempt, 6)));
          await sleep(ms);
        }
      }
    },
    lines: () => linesUnder(`${dir}/entries`),
    checkpointLines: () => linesUnder(`${dir}/checkpoints`),
    async recordedSeq(digest) {
      const commit = await headCommit();
      if (commit === void 0 || !/^[0-9a-f]{64}$/.test(digest)) return void 0;
      const tree = await treeOf(commit);
      const pointer = await findPath(tree, gitIndexPath(dir, digest));
      if (pointer === void 0) return void 0;
      const seq = Number((await blobText(pointer)).trim());
      if (!Number.isSafeInteger(seq) || seq < 0) return void 0;
      const entrySha = await findPath(tree, gitEntryPath(dir, seq));
      if (entrySha === void 0) return void 0;
      const d = decodeLine((await blobText(entrySha)).trim());
      return d.ok && d.entry.seq === seq && d.entry.artifact.digest === digest ? seq : void 0;
    }
  };
}

// packages/core/src/audit/store-local.ts
import { createReadStream } from "node:fs";
import { appendFile, mkdir as mkdir2, open, readFile as readFile4, rename as rename2, rm as rm2, writeFile as writeFile2 } from "node:fs/promises";
import { randomBytes as randomBytes2 } from "node:crypto";
import { dirname as dirname3 } from "node:path";
var isMissing = (e) => e.code === "ENOENT";
function nodeLedgerFileSystem() {
  return {
    async readText(path2) {
      try {
        return await readFile4(path2, "utf8");
      } catch (e) {
        if (isMissing(e)) return void 0;
        throw e;
      }
    },
    async append(path2, text) {
      await mkdir2(dirname3(path2), { recursive: true });
      await appendFile(path2, text, "utf8");
    },
    async writeAtomic(path2, text) {
      await mkdir2(dirname3(path2), { recursive: true });
      const tmp = `${path2}.${randomBytes2(6).toString("hex")}.tmp`;
      try {
        await writeFile2(tmp, text, "utf8");
        await rename2(tmp, path2);
      } catch (e) {
        await rm2(tmp, { force: true });
        throw e;
      }
    },
    async *lines(path2) {
      const stream = createReadStream(path2, { highWaterMark: 4 * 1024 * 1024 });
      const opened = await new Promise((resolve3, reject) => {
        stream.once("open", () => resolve3(true));
        stream.once("error", (e) => isMissing(e) ? resolve3(false) : reject(e));
      });
      if (!opened) return;
      let rest = Buffer.alloc(0);
      for await (const chunk of stream) {
        const buf = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
        let start = 0;
        for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
          yield buf.toString("utf8", start, nl);
          start = nl + 1;
        }
        rest = buf.subarray(start);
      }
      if (rest.length > 0) yield rest.toString("utf8");
    },
    async lastLine(path2) {
      let handle;
      try {
        handle = await open(path2, "r");
      } catch (e) {
        if (isMissing(e)) return void 0;
        throw e;
      }
      try {
        const { size } = await handle.stat();
        const chunks = [];
        let pos = size;
        let text = "";
        while (pos > 0) {
          const len = Math.min(65536, pos);
          pos -= len;
          const buf = Buffer.alloc(len);
          await handle.read(buf, 0, len, pos);
          chunks.unshift(buf);
          text = Buffer.concat(chunks).toString("utf8").replace(/\n+$/, "");
          if (text.includes("\n")) break;
        }
        const last = text.slice(text.lastIndexOf("\n") + 1);
        return last === "" ? void 0 : last;
      } finally {
        await handle.close();
      }
    },
    async tryLock(path2) {
      await mkdir2(dirname3(path2), { recursive: true });
      try {
        const h = await open(path2, "wx");
        await h.close();
      } catch (e) {
        if (e.code === "EEXIST") return void 0;
        throw e;
      }
      return () => rm2(path2, { force: true });
    }
  };
}
function localLedgerPaths(ledgerPath) {
  const stem = ledgerPath.endsWith(".jsonl") ? ledgerPath.slice(0, -".jsonl".length) : ledgerPath;
  return { ledger: ledgerPath, checkpoints: `${stem}.checkpoints.jsonl`, state: `${stem}.state.json`, lock: `${stem}.lock` };
}
function localLedgerStore(ledgerPath, fs = nodeLedgerFileSystem()) {
  const paths = localLedgerPaths(ledgerPath);
  async function readHead() {
    const text = await fs.readText(paths.state);
    const last = await fs.lastLine(paths.ledger);
    if (text === void 0) {
      if (last !== void 0) {
        throw new VerificationError("ARTIFACT_NOT_FOUND", `${paths.ledger} has entries but its state file ${paths.state} is missing`, {
          file: paths.state,
          hint: "Restore the state file, or start a new ledger; `genops audit verify` checks the entries against the checkpoint log."
        });
      }
      return void 0;
    }
    let json;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new VerificationError("ARTIFACT_MALFORMED", `${paths.state} is not JSON`, { file: paths.state, hint: "The state file was damaged.", cause: e });
    }
    const head = parseHead(json, paths.state);
    const decoded = last === void 0 ? void 0 : decodeLine(last);
    const lastHash = decoded === void 0 ? void 0 : decoded.ok ? decoded.storedHash : "unreadable";
    if (head.size > 0 && lastHash !== head.lastEntryHash) {
      throw new VerificationError("DIGEST_MISMATCH", `${paths.ledger}: its last line is not the entry its state and checkpoint end with (entry ${head.size - 1})`, {
        file: paths.ledger,
        hint: "The ledger was changed outside genops or an append was interrupted. Run `genops audit verify` before appending again."
      });
    }
    return head;
  }
  return {
    description: ledgerPath,
    paths,
    readHead,
    async commit(build2) {
      const release = await fs.tryLock(paths.lock);
      if (release === void 0) {
        throw new ConfigError("INPUT_INVALID", `${ledgerPath} is locked by another append (${paths.lock} exists)`, {
          file: paths.lock,
          hint: "Wait for the other append to finish. If none is running (a crashed append), run `genops audit verify`, then delete the lock file."
        });
      }
      try {
        const result = await build2(await readHead());
        await fs.append(paths.ledger, result.lines.map((l) => `${l}
`).join(""));
        await fs.append(paths.checkpoints, `${JSON.stringify(result.checkpoint)}
`);
        await fs.writeAtomic(paths.state, `${JSON.stringify(result.head)}
`);
        return result;
      } finally {
        await release();
      }
    },
    lines: () => fs.lines(paths.ledger),
    checkpointLines: () => fs.lines(paths.checkpoints),
    async recordedSeq(digest) {
      for await (const line of fs.lines(paths.ledger)) {
        if (!line.includes(digest)) continue;
        const d = decodeLine(line);
        if (d.ok && d.entry.artifact.digest === digest) return d.entry.seq;
      }
      return void 0;
    }
  };
}

// packages/core/src/action/audit-step.ts
var UPSTREAM_INPUTS = VERIFICATION_INPUTS.filter((n) => n !== "predicate-type");
var AUDIT_STEP_INPUTS = [
  ...UPSTREAM_INPUTS,
  "store",
  "branch",
  "store-repository",
  "ledger-dir",
  "ledger-path",
  "origin",
  "max-attempts",
  "attest",
  "approver",
  "ticket",
  "environment",
  "committed-at",
  "github-token",
  ...SIGNING_INPUTS
];
var STORE_KINDS = ["git", "local"];
var KIND_ORDER = ["evidence", "risk", "decision", "canary"];
var BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[A-Za-z0-9._/-]{1,200}$/;
var REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
function parseAuditInputs(raw, problems, deps) {
  const store = enumInput(raw, "store", STORE_KINDS, "git", problems);
  const branch = raw("branch") || "genops-audit";
  if (!BRANCH.test(branch)) problems.add("branch", `is ${JSON.stringify(branch.slice(0, 80))}`, "a branch name such as genops-audit");
  const repoName = raw("store-repository") || deps.context.repository.fullName;
  if (!REPOSITORY.test(repoName)) problems.add("store-repository", `is ${JSON.stringify(repoName.slice(0, 80))}`, "owner/repo");
  const [owner = "", repo = ""] = repoName.split("/");
  const ledgerDir = (raw("ledger-dir") || "ledger").replace(/^\/+|\/+$/g, "");
  if (ledgerDir === "" || ledgerDir.split("/").some((p) => p === ".." || p === ".")) problems.add("ledger-dir", `is ${JSON.stringify(raw("ledger-dir"))}`, "a folder inside the branch, e.g. ledger");
  const attest = boolInput(raw, "attest", false, problems);
  const context = {};
  for (const [input, field] of [["approver", "approver"], ["ticket", "ticket"], ["environment", "environment"], ["committed-at", "committedAt"]]) {
    const v = raw(input);
    if (v !== "") context[field] = v;
  }
  if (context.committedAt !== void 0 && Number.isNaN(Date.parse(context.committedAt))) problems.add("committed-at", `is ${JSON.stringify(context.committedAt)}`, "an ISO 8601 time, e.g. the commit's committer date");
  const token = raw("github-token");
  if (token === "" && (store === "git" || attest)) problems.add("github-token", "is empty", "a token (default ${{ github.token }}) with contents: write on the store repository (and attestations: write with attest)");
  const host = new URL(deps.context.serverUrl).host;
  return {
    store,
    branch,
    repository: { owner, repo },
    ledgerDir,
    ledgerPath: raw("ledger-path") || "genops-audit/ledger.jsonl",
    origin: raw("origin") || `${host}/${repoName}/${branch}`,
    maxAttempts: intInput(raw, "max-attempts", 30, 1, 100, problems),
    attest,
    context,
    token
  };
}
function verifyRunArtifacts(raw, problems, deps) {
  const cfg = parseVerificationInputs(raw, problems);
  return {
    verify: async () => {
      const verified = await verifyUpstream(cfg, deps, LEDGER_VERIFY_OUTCOME);
      const unique = verified.filter((v, i) => verified.findIndex((w) => w.digest === v.digest) === i);
      const rank = (v) => {
        const i = KIND_ORDER.findIndex((k) => v.statement.predicateType.endsWith(`/${k}/v1`));
        return i < 0 ? KIND_ORDER.length : i;
      };
      return unique.map((v, i) => ({ v, i })).sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i).map((x) => x.v);
    }
  };
}
function auditSummary(storeDescription, result, attestations) {
  const rows = result.entries.map((e) => {
    const att = attestations.find((a) => a.seq === e.seq);
    const decision = e.decision?.decision ?? e.canary?.outcome ?? "";
    return `| ${String(e.seq)} | ${mdTableCell(e.artifact.kind)} | ${mdCode(`sha256:${e.artifact.digest.slice(0, 16)}\u2026`)} | ${mdTableCell(decision)} | ${mdTableCell(e.decision?.key ?? "")} | ${att?.attestationId === void 0 ? "" : mdTableCell(att.attestationId)} |`;
  });
  const cp = decodeCheckpoint(result.checkpoint, "checkpoint").checkpoint;
  return [
    `### genops audit-publish: ${String(result.entries.length)} entr${result.entries.length === 1 ? "y" : "ies"} appended to ${mdCode(storeDescription)}`,
    "",
    "| seq | kind | digest | decision | gate | attestation |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    `Checkpoint: ledger ${mdCode(cp.origin)}, size **${String(cp.size)}**, root ${mdCode(cp.rootHash)}, signed ${mdText(cp.issuedAt)}.`,
    "",
    mdFenceText(result.checkpoint.note),
    ""
  ].join("\n");
}
function mdFenceText(note) {
  return ["```text", note.replace(/`/g, "'").trimEnd(), "```"].join("\n");
}
async function auditStep(rt2, deps) {
  const raw = (n) => n === "predicate-type" ? LEDGER_PREDICATE_TYPES.join("\n") : rt2.getInput(n);
  maskSecret(rt2, raw("signing-key"));
  maskSecret(rt2, raw("github-token"));
  const problems = new InputProblems();
  const artifacts = verifyRunArtifacts(raw, problems, deps);
  const signing = parseSigningInputs(raw, problems);
  const cfg = parseAuditInputs(raw, problems, deps);
  problems.throwIfAny();
  const verified = await artifacts.verify();
  if (cfg.store === "git" && deps.context.isReadOnlyToken) {
    throw new ConfigError("PERMISSION_MISSING", "this run's token is read-only (a fork pull request): the audit branch cannot be written", {
      input: "github-token",
      expected: "`contents: write` under `permissions:`",
      hint: "Publish the ledger from a trusted workflow (push to main, deployment, workflow_run), not from fork pull requests.",
      docUrl: "docs/audit.md#the-audit-publish-action"
    });
  }
  const client = cfg.store === "git" || cfg.attest ? deps.github(cfg.token) : void 0;
  const localPath = isAbsolute2(cfg.ledgerPath) ? cfg.ledgerPath : join2(deps.workspace, cfg.ledgerPath);
  const store = cfg.store === "git" && client !== void 0 ? gitLedgerStore(client, {
    ...cfg.repository,
    branch: cfg.branch,
    dir: cfg.ledgerDir,
    maxAttempts: cfg.maxAttempts,
    ...deps.sleep === void 0 ? {} : { sleep: deps.sleep },
    ...deps.random === void 0 ? {} : { random: deps.random }
  }) : localLedgerStore(localPath);
  const headBefore = await store.readHead();
  const origin = rt2.getInput("origin") !== "" ? cfg.origin : headBefore?.origin ?? cfg.origin;
  const setOutputs = (entries, head, attestations2) => {
    rt2.setOutput("entries", String(entries.length));
    rt2.setOutput("first-seq", entries[0] === void 0 ? "" : String(entries[0].seq));
    rt2.setOutput("last-seq", entries.at(-1) === void 0 ? "" : String(entries.at(-1)?.seq));
    rt2.setOutput("checkpoint-size", String(head?.size ?? 0));
    rt2.setOutput("checkpoint-root", head?.checkpoint === void 0 ? "" : decodeCheckpoint(head.checkpoint, "checkpoint").checkpoint.rootHash);
    rt2.setOutput("ledger-ref", cfg.store === "git" ? `refs/heads/${cfg.branch}` : "");
    rt2.setOutput("ledger-path", cfg.store === "git" ? cfg.ledgerDir : localPath);
    rt2.setOutput("attestations", attestations2.map((a) => a.attestationId ?? "").filter((a) => a !== "").join(","));
  };
  const fresh = [];
  const already = [];
  for (const v of verified) {
    const seq = await store.recordedSeq(v.digest);
    if (seq === void 0) fresh.push(v);
    else already.push({ source: v.source, seq });
  }
  for (const a of already) rt2.logger.info(`${a.source}: already recorded as entry ${String(a.seq)}; not appended again`);
  if (fresh.length === 0) {
    setOutputs([], headBefore, []);
    rt2.appendSummary(`### genops audit

Every artifact of this run is already in ${mdCode(store.description)} (entries ${already.map((a) => String(a.seq)).join(", ")}): nothing was appended.
`);
    return { result: void 0, attestations: [], store: store.description, alreadyRecorded: already.map((a) => a.seq) };
  }
  const { createSigner } = await import("./chunks/signing-SLT4QYSQ.js");
  const signer = createSigner(signing, rt2.env);
  const result = await appendToLedger(store, fresh, cfg.context, { signer, now: deps.clock.now(), origin });
  const attestations = [];
  if (cfg.attest) {
    const attest = deps.attest ?? await actionsAttest();
    const attestor = actionsLedgerAttestor(attest, { token: cfg.token });
    for (const e of result.entries) if (e.decision !== void 0) attestations.push(await attestor.attestDecision(e, result.checkpoint));
  }
  setOutputs(result.entries, result.head, attestations);
  rt2.appendSummary(auditSummary(store.description, result, attestations));
  if (already.length > 0) rt2.appendSummary(`Already in the ledger, not appended again: entries ${already.map((a) => String(a.seq)).join(", ")}.
`);
  for (const e of result.entries) rt2.logger.info(`appended entry ${String(e.seq)}: ${e.artifact.kind} sha256:${e.artifact.digest}`);
  rt2.logger.info(`checkpoint: ${result.checkpoint.note.trimEnd().split("\n").join(" | ")}`);
  return { result, attestations, store: store.description, alreadyRecorded: already.map((a) => a.seq) };
}
async function actionsAttest() {
  const { attest } = await import("./chunks/lib-VJA2P7EU.js");
  return async (options) => attest(options);
}

// actions/audit-publish/src/main.ts
var rt = actionsRuntime();
await runAction(rt, "audit-publish", async () => {
  const deps = await actionDeps(rt);
  await auditStep(rt, { ...deps, github: actionGitHubClient(rt, deps.context), workspace: rt.env.GITHUB_WORKSPACE ?? process.cwd() });
});
