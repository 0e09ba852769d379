# Written by bench/run: gnuplot chart.gp redraws rates.png and cpu.png.
set style fill solid 0.85 border -1
set boxwidth 0.8
set grid ytics
set xtics rotate by -40 noenhanced font ',8'
set yrange [0:*]
set format y '%.1s%c'
set terminal pngcairo font ',10' size 880,400
set output 'rates.png'
set multiplot layout 1,2 title "netcookd bench/run, 2026-12-07 12:04: rate" noenhanced
set title "chat-bus-c200" noenhanced
set ylabel "lines/s (median, min–max)" noenhanced
plot 'chart-chat-bus-c200.dat' using 0:2:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle

set title "chat-bus-c200-rate" noenhanced
set ylabel "lines/s (median, min–max)" noenhanced
plot 'chart-chat-bus-c200-rate.dat' using 0:2:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle

unset multiplot
set terminal pngcairo font ',10' size 880,400
set output 'cpu.png'
set multiplot layout 1,2 title "netcookd bench/run, 2026-12-07 12:04: server CPU per operation" noenhanced
set title "chat-bus-c200" noenhanced
set ylabel "server CPU µs per line (median, min–max)" noenhanced
plot 'chart-chat-bus-c200.dat' using 0:5:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb 'black' pt 0 notitle

set title "chat-bus-c200-rate" noenhanced
set ylabel "server CPU µs per line (median, min–max)" noenhanced
plot 'chart-chat-bus-c200-rate.dat' using 0:5:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb 'black' pt 0 notitle

unset multiplot
