" .sla files are SLA agreements written for slac. Vim script, not Lua, so that Neovim 0.7 (and
" Vim) read it too.
autocmd BufRead,BufNewFile *.sla setfiletype sla
