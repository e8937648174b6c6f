" A minimal highlighting of .sla files: keywords, comments, strings, text blocks, dates and
" numbers. Neovim 0.9 and later also color what the slac language server says with semantic
" tokens (references, ids, units, …), over this.
if exists('b:current_syntax')
  finish
endif

syn keyword slaDeclaration agreement party service calendar holidays escalation import
syn keyword slaField name kind contact email phone pager description owner price annual easter
syn keyword slaField date timezone open closed level title version effective provider customer
syn keyword slaField services language fee review reviewed extends objective credit
syn keyword slaField responsibility clause sli target window within supports due when cap
syn keyword slaField errors good total histogram threshold scale satisfied label breach refund
syn keyword slaSubKeyword and at below every for from notify per to with
syn keyword slaConstant mon tue wed thu fri sat sun daily

syn match slaDate '\<\d\{4}-\d\d-\d\d\>'
syn match slaNumber '\<\d[0-9._:]*\%(ms\|bd\|[smhdw]\|%\)\='
syn region slaString start=+"+ skip=+\\.+ end=+"+ oneline
syn region slaTextBlock start=+"""+ end=+"""+ fold
syn keyword slaTodo contained TODO FIXME XXX NOTE
syn match slaComment '//.*$' contains=slaTodo,@Spell
syn match slaDocComment '///\%(/\)\@!.*$' contains=slaTodo,@Spell

hi def link slaDeclaration Structure
hi def link slaField Keyword
hi def link slaSubKeyword Operator
hi def link slaConstant Constant
hi def link slaDate Number
hi def link slaNumber Number
hi def link slaString String
hi def link slaTextBlock String
hi def link slaTodo Todo
hi def link slaComment Comment
hi def link slaDocComment SpecialComment

let b:current_syntax = 'sla'
