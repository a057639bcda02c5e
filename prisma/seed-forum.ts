// Demo forum content, so that the forums are not empty on first start: about
// thirty questions of the ВПР experts forum across subjects, grades and tasks
// (the typical grading questions of DOMAIN.md: another order of steps, units,
// one arithmetic slip, answer formats, dictation errors, teacher marks in a
// work…), about half with an official answer by fioko01, some with teachers'
// replies and votes, a few disputed; and a few topics in every study's support
// forum, some answered by support01.
//
// Run after seedDemo (it needs the demo organisations and people):
//   await seedForumDemo(prisma)
// Does nothing when topics already exist. Rows are written directly (the
// forum's domain functions would apply posting limits and publish events to
// nobody); each topic gets a search outbox row, so the running server's drain
// indexes them.
import type { PrismaClient } from '../app/generated/prisma/client.ts'
import type { Role } from '../app/generated/prisma/enums.ts'
import { contentFromText, plainTextOf } from '../app/forum/content.ts'
import { renderContent } from '../app/forum/content.server.ts'

const HOUR = 3600_000

/** Extra teacher-experts who ask and discuss (accounts without a password: authors only). */
const TEACHERS: { key: string; login: string; org: string; fullName: string }[] = [
  { key: 'pet', login: 'edu290002_t01', org: 'edu290002', fullName: 'Петрова Елена Николаевна' },
  { key: 'sok', login: 'edu290003_t01', org: 'edu290003', fullName: 'Соколов Андрей Павлович' },
  { key: 'vol', login: 'edu290004_t01', org: 'edu290004', fullName: 'Волкова Ольга Сергеевна' },
  { key: 'nov', login: 'edu290005_t01', org: 'edu290005', fullName: 'Новикова Светлана Юрьевна' },
  { key: 'mor', login: 'edu220001_t01', org: 'edu220001', fullName: 'Морозова Татьяна Александровна' },
  { key: 'leb', login: 'edu220002_t01', org: 'edu220002', fullName: 'Лебедев Игорь Викторович' },
]

/** Demo people by short key. */
const PEOPLE: Record<string, string> = {
  kuz: 'edu290001_t01',
  fioko: 'fioko01',
  support: 'support01',
  school: 'edu290001',
  mun: 'reg29_m001',
  reg: 'reg290000',
  reg22: 'reg220000',
  school22: 'edu220001',
  ...Object.fromEntries(TEACHERS.map((t) => [t.key, t.login])),
}

interface SeedAnswer {
  by: string
  text: string
  official?: boolean
  accepted?: boolean
  /** Logins' keys who agree / disagree. */
  agree?: string[]
  disagree?: string[]
}

interface SeedQuestion {
  by: string
  subject: string
  grade: number
  task: string
  year?: number
  variant?: string
  title: string
  text: string
  /** Hours ago it was asked. */
  age: number
  answers?: SeedAnswer[]
}

const Q: SeedQuestion[] = [
  {
    by: 'kuz', subject: 'Математика', grade: 4, task: '5', year: 2025, age: 230,
    title: 'Нужно ли указывать единицы измерения в ответе задания 5?',
    text: 'Ученик нашёл периметр прямоугольника верно, но в ответе записал «24» без «см». В критериях ответ дан как «24 см».\nСтавить ли балл?',
    answers: [
      { by: 'pet', text: 'У нас в прошлом году за это снимали балл, интересно, как правильно.' },
      { by: 'fioko', official: true, text: 'Балл ставится. Если условие задания не требует записать ответ с единицами измерения, отсутствие наименования не является основанием для снижения балла: число в ответе совпадает с эталоном.' },
    ],
  },
  {
    by: 'sok', subject: 'Математика', grade: 5, task: '9', year: 2025, age: 200,
    title: 'Можно ли засчитать решение, где действия выполнены в другом порядке?',
    text: 'В задании 9 на порядок действий ученик сначала раскрыл скобки и только потом выполнил деление. Ответ верный, но в критериях решение показано по действиям в другом порядке.\nЗасчитывать ли 2 балла?',
    answers: [
      { by: 'fioko', official: true, text: 'Да. Допускается любой верный способ вычислений, если все преобразования верны и ответ совпадает с эталоном: выставляется максимальный балл. Решение в критериях — один из возможных вариантов, а не обязательный образец.' },
      { by: 'kuz', text: 'Спасибо, у нас как раз было несколько таких работ.', agree: [] },
    ],
  },
  {
    by: 'vol', subject: 'Математика', grade: 6, task: '13', year: 2025, age: 180,
    title: 'Одна вычислительная ошибка в задаче на проценты — 1 балл из 2?',
    text: 'Ход решения верный: ученик правильно составил выражение для 15 % от суммы, но при умножении ошибся, и ответ получился неверный.\nМожно ли поставить 1 балл или только 0?',
    answers: [
      { by: 'mor', text: 'По-моему, ответ неверный — значит 0 баллов, критерии про это прямо ничего не говорят.', agree: ['leb'], disagree: ['kuz', 'pet'] },
      { by: 'pet', text: 'Я бы поставила 1 балл: обоснование верное, ошибка только арифметическая.', agree: ['kuz', 'sok'] },
      { by: 'fioko', official: true, text: 'Выставляется 1 балл: решение доведено до конца, ход решения верный, допущена одна вычислительная ошибка, не изменившая логики решения. 0 баллов — если ход решения неверный или решение не доведено до ответа.' },
    ],
  },
  {
    by: 'kuz', subject: 'Русский язык', grade: 4, task: '1', year: 2025, age: 170,
    title: 'Как считать повторяющуюся ошибку в одном слове в диктанте?',
    text: 'Ученица трижды написала слово «бирёза» с ошибкой. Это три ошибки или одна?',
    answers: [
      { by: 'nov', text: 'Мы всегда считали одной ошибкой, если это одно и то же слово.' },
      { by: 'fioko', official: true, text: 'Повторяющаяся ошибка в одном и том же слове считается одной ошибкой. Однотипные ошибки на одно правило в разных словах учитываются каждая отдельно, если в критериях не оговорено иное.' },
    ],
  },
  {
    by: 'nov', subject: 'Русский язык', grade: 5, task: '1', year: 2025, age: 150,
    title: 'Исправление в тексте диктанта: считать ли ошибкой?',
    text: 'Ученик зачеркнул неверно написанную букву и аккуратно написал сверху верную. Считается ли это ошибкой при проверке диктанта?',
    answers: [
      { by: 'fioko', official: true, text: 'Исправление неверного написания на верное ошибкой не считается, если исправление сделано самим учеником и однозначно читается. Если по исправлению нельзя понять, какой вариант выбран, это считается ошибкой.' },
    ],
  },
  {
    by: 'mor', subject: 'Русский язык', grade: 4, task: '4К1', year: 2025, age: 140,
    title: 'Задание 4К1: основа предложения подчёркнута не теми линиями',
    text: 'Ученик верно нашёл подлежащее и сказуемое, но подчеркнул подлежащее двумя чертами, а сказуемое одной. Засчитывать ли по критерию 4К1?',
    answers: [
      { by: 'leb', text: 'Думаю, нет: критерий проверяет именно умение обозначить основу, а обозначение перепутано.', agree: ['mor'], disagree: ['vol'] },
      { by: 'vol', text: 'А я считаю, что основа найдена верно, значит умение показано. Обозначения — вторично.', agree: ['nov'], disagree: ['leb', 'sok'] },
    ],
  },
  {
    by: 'leb', subject: 'Окружающий мир', grade: 4, task: '6', year: 2025, age: 130,
    title: 'Ответ на вопрос об опыте своими словами — засчитывать?',
    text: 'В задании 6 нужно объяснить, зачем в опыте два одинаковых стакана. Ученик написал: «чтобы было с чем сравнить». В критериях формулировка подробнее.',
    answers: [
      { by: 'kuz', accepted: true, text: 'Смысл ответа совпадает с эталоном — засчитываем. Формулировка ученика может быть любой, если передан смысл.', agree: ['leb', 'pet'] },
    ],
  },
  {
    by: 'pet', subject: 'История', grade: 5, task: '7', year: 2025, age: 120,
    title: 'Век записан арабскими цифрами вместо римских',
    text: 'В ответе ученик указал «5 век до н. э.» вместо «V век до н. э.». Это ошибка?',
    answers: [
      { by: 'fioko', official: true, text: 'Нет. Запись века арабскими цифрами не является основанием для снижения балла: проверяется знание исторического факта, а не способ записи числа.' },
    ],
  },
  {
    by: 'sok', subject: 'Биология', grade: 6, task: '10', year: 2025, age: 110,
    title: 'Последовательность записана буквами, а не цифрами',
    text: 'В задании на установление последовательности ученик записал ответ буквами «ВАГБ», а в бланке ожидаются цифры.',
    answers: [
      { by: 'mor', accepted: true, text: 'Если буквы однозначно соответствуют вариантам ответа в задании, последовательность верная — у нас засчитывали.' },
    ],
  },
  {
    by: 'vol', subject: 'География', grade: 7, task: '4', year: 2025, age: 100,
    title: 'Формат ответа про время: «14:00» или «14 ч»?',
    text: 'В задании 4 про часовые пояса ответ в критериях «14 ч». Ученик записал «14:00». Засчитывать?',
    answers: [
      { by: 'fioko', official: true, text: 'Засчитывается. Допустима любая однозначная запись времени: «14 ч», «14:00», «14 часов». Ответ «2 часа дня» тоже верный, если он однозначен.' },
    ],
  },
  {
    by: 'leb', subject: 'Физика', grade: 7, task: '3', year: 2025, age: 95,
    title: 'Ответ в сантиметрах, хотя в условии просят метры',
    text: 'В условии: «Ответ дайте в метрах». Ученик записал «150 см» — значение верное, но единицы другие.',
    answers: [
      { by: 'nov', text: 'Раз в условии прямо указаны единицы, по-моему, ответ должен быть в метрах.' },
      { by: 'fioko', official: true, text: 'Если условие прямо указывает, в каких единицах дать ответ, ответ в других единицах не засчитывается. Если единицы в условии не заданы, принимается верное значение в любых единицах с наименованием.' },
    ],
  },
  {
    by: 'kuz', subject: 'Математика', grade: 8, task: '16', year: 2025, age: 90,
    title: 'Засчитывать ли решение перебором вариантов?',
    text: 'В задаче на целые числа ученик не составил уравнение, а перебрал все варианты в таблице и нашёл ответ. Ответ верный. Можно ли ставить полный балл?',
    answers: [
      { by: 'sok', text: 'Перебор — полноценный способ решения, если перебраны все случаи. Полный балл.', agree: ['kuz', 'pet'], disagree: ['mor'] },
      { by: 'mor', text: 'Не согласна: перебор без обоснования, что других вариантов нет, — это не решение.', agree: ['leb'], disagree: ['sok'] },
    ],
  },
  {
    by: 'nov', subject: 'Обществознание', grade: 8, task: '8', year: 2025, age: 85,
    title: 'Сколько примеров нужно для балла, если один пример неполный?',
    text: 'Нужно привести два примера. Ученик привёл один полный пример и один — общей фразой без конкретики.',
    answers: [
      { by: 'fioko', official: true, text: 'Засчитываются только конкретные примеры, иллюстрирующие положение. Общая фраза примером не является: в этом случае приведён один пример, балл выставляется по критериям для одного верного примера.' },
    ],
  },
  {
    by: 'pet', subject: 'Химия', grade: 8, task: '2', year: 2025, age: 80,
    title: 'Формула вещества записана без индексов',
    text: 'Ученик записал формулу оксида алюминия как «AlO» — индексы пропущены. Остальная часть задания выполнена верно.',
    answers: [
      { by: 'leb', accepted: true, text: 'Это неверная формула, элемент задания не засчитывается. Остальные элементы оцениваются отдельно по критериям.' },
    ],
  },
  {
    by: 'mor', subject: 'Английский язык', grade: 7, task: '2', year: 2025, age: 75,
    title: 'Орфографические ошибки в письменной части: снижать ли балл?',
    text: 'В письменном ответе по английскому две орфографические ошибки, но смысл полностью понятен.',
    answers: [
      { by: 'sok', text: 'Смотрите критерий «языковое оформление» — там указано допустимое число ошибок.' },
    ],
  },
  {
    by: 'sok', subject: 'Информатика', grade: 7, task: '5', year: 2025, age: 70,
    title: 'Ответ записан в двоичной системе вместо десятичной',
    text: 'В задании требовалось записать ответ в десятичной системе счисления, ученик записал верное число, но в двоичной.',
    answers: [
      { by: 'vol', accepted: true, text: 'Форма ответа задана условием, поэтому ответ не засчитывается, хотя число верное.' },
    ],
  },
  {
    by: 'leb', subject: 'Литература', grade: 5, task: '3', year: 2025, age: 65,
    title: 'Развёрнутый ответ без цитат из текста',
    text: 'Ученик верно объяснил поступок героя, но не привёл ни одной цитаты. В задании сказано «обоснуйте ответ».',
  },
  {
    by: 'kuz', subject: 'Математика', grade: 5, task: '12', year: 2025, age: 60,
    title: 'Ответ дробью 3/4 вместо десятичной 0,75',
    text: 'В критериях ответ «0,75». Ученик записал «3/4». Засчитывать ли?',
    answers: [
      { by: 'fioko', official: true, text: 'Засчитывается. Ответ, записанный обыкновенной дробью, равной эталону, верный, если условие не требует определённой формы записи.' },
      { by: 'pet', text: 'Отлично, а «75/100» тоже засчитываем?' },
      { by: 'fioko', text: 'Да, если форма записи не оговорена в условии, любая запись того же числа верна.' },
    ],
  },
  {
    by: 'vol', subject: 'Математика', grade: 7, task: '15', year: 2025, age: 55,
    title: 'График построен без подписи осей',
    text: 'Ученик верно построил график функции по точкам, но не подписал оси и не отметил единичные отрезки.',
    answers: [
      { by: 'nov', text: 'Без единичных отрезков график нельзя проверить — 0 баллов.', agree: ['mor'], disagree: ['vol', 'kuz'] },
      { by: 'kuz', text: 'Если по клеткам видно, что точки стоят верно, я бы засчитала.', agree: ['vol'], disagree: ['nov', 'leb'] },
    ],
  },
  {
    by: 'nov', subject: 'Русский язык', grade: 6, task: '2', year: 2025, age: 50,
    title: 'Морфемный разбор: выделять ли окончание у наречий?',
    text: 'Ученик при морфемном разборе наречия «весело» выделил окончание «о». Это ошибка?',
    answers: [
      { by: 'fioko', official: true, text: 'Да, это ошибка: наречие — неизменяемая часть речи, окончания у него нет, «-о» — суффикс. Элемент разбора не засчитывается.' },
    ],
  },
  {
    by: 'mor', subject: 'Русский язык', grade: 8, task: '11', year: 2025, age: 45,
    title: 'Пунктуация при обособленном обстоятельстве: верно ли эталон?',
    text: 'В эталоне запятая стоит после деепричастного оборота, но в предложении есть ещё однородные члены. Несколько учителей считают, что возможен и другой вариант расстановки знаков.',
    answers: [
      { by: 'leb', text: 'Согласен с автором: второй вариант тоже соответствует правилам.', agree: ['mor', 'sok'], disagree: ['pet'] },
      { by: 'pet', text: 'Нет, эталон правильный, второй вариант меняет смысл предложения.', agree: ['nov'], disagree: ['leb', 'mor'] },
    ],
  },
  {
    by: 'pet', subject: 'География', grade: 6, task: '1', year: 2025, age: 40,
    title: 'Координаты без указания «с. ш.» и «в. д.»',
    text: 'Ученик записал координаты как «55°, 37°», без указания широты и долготы.',
    answers: [
      { by: 'fioko', official: true, text: 'Не засчитывается: без указания северной или южной широты и восточной или западной долготы координаты не определяют точку однозначно.' },
    ],
  },
  {
    by: 'sok', subject: 'История', grade: 6, task: '5', year: 2025, age: 35,
    title: 'Указано другое событие того же года',
    text: 'Нужно было указать событие, связанное с памятником культуры. Ученик указал другое событие того же времени, не связанное с памятником.',
    answers: [
      { by: 'nov', text: 'По-моему, не засчитывается: связь с памятником — главное требование.' },
    ],
  },
  {
    by: 'leb', subject: 'Биология', grade: 5, task: '8', year: 2025, age: 30,
    title: 'Рисунок вместо ответа словами',
    text: 'Вместо описания строения клетки ученик нарисовал схему и подписал органоиды. Всё верно, но задание предполагало текстовый ответ.',
    answers: [
      { by: 'vol', accepted: true, text: 'Если на рисунке подписаны все нужные элементы, ответ по существу дан. У нас такой ответ засчитали.' },
    ],
  },
  {
    by: 'vol', subject: 'Обществознание', grade: 6, task: '9', year: 2025, age: 20,
    title: 'Ответ на вопрос о семейном бюджете: нужна ли конкретная сумма?',
    text: 'В задании про семейный бюджет ученик объяснил, как распределить расходы, но не назвал ни одной суммы.',
  },
  {
    by: 'kuz', subject: 'Физика', grade: 8, task: '5', year: 2025, age: 15,
    title: 'Ответ округлён до целых, а в эталоне десятые',
    text: 'Ученик получил 12,4 Ом и округлил до 12 Ом. В критериях 12,4 Ом. В условии про округление ничего не сказано.',
    answers: [
      { by: 'sok', text: 'Если округление не оговорено, я бы не засчитывал — ответ не совпадает с эталоном.' },
    ],
  },
  {
    by: 'pet', subject: 'Математика', grade: 4, task: '12', year: 2025, age: 10,
    title: 'Логическая задача: верный ответ без пояснения',
    text: 'В задании 12 ученик записал только верный ответ, без рассуждений. В условии написано «запиши решение и ответ».',
  },
  {
    by: 'nov', subject: 'Математика', grade: 6, task: '1', year: 2025, age: 8,
    title: 'Отрицательное число в ответе без скобок',
    text: 'Ученик записал ответ «-5» сразу после знака равенства в выражении «3 + -5», без скобок. Ответ задания верный.',
    answers: [
      { by: 'fioko', official: true, text: 'Оценивается ответ задания. Если ответ «-5» верный, балл выставляется; недочёты промежуточной записи в задании 1 на балл не влияют.' },
    ],
  },
  {
    by: 'mor', subject: 'Русский язык', grade: 7, task: '3', year: 2025, age: 6,
    title: 'Синтаксический разбор: обозначения не как в нашем учебнике',
    text: 'Ученик обозначил члены предложения по другой системе (как в другом учебнике). Засчитывать ли разбор?',
    answers: [
      { by: 'fioko', official: true, text: 'Засчитывается, если обозначения общепринятые и однозначно показывают, какой член предложения выделен. Система обозначений конкретного учебника не обязательна.' },
    ],
  },
  {
    by: 'kuz', subject: 'Математика', grade: 5, task: '5', year: 2025, age: 4,
    title: 'Единицы площади: «кв. см» или «см²»?',
    text: 'Ученик записал ответ «36 кв. см», в критериях «36 см²». Это одно и то же?',
    answers: [
      { by: 'fioko', official: true, text: 'Да, обе записи верны и равнозначны. Балл ставится.' },
    ],
  },
  {
    by: 'leb', subject: 'Окружающий мир', grade: 4, task: '9', year: 2025, age: 2,
    title: 'В работе есть пометки учителя — как проверять?',
    text: 'При перепроверке обнаружили, что в нескольких работах учитель сделал пометки ручкой рядом с ответами учеников. Как быть с такими работами?',
    answers: [
      { by: 'fioko', official: true, text: 'Пометки, исправления и дописывания учителя в работе недопустимы. Оценивается только то, что написал ученик; о случае нужно сообщить школьному координатору, такие работы учитываются при анализе объективности.' },
    ],
  },
]

interface SeedTopic {
  forum: string
  section: string
  by: string
  title: string
  text: string
  age: number
  answers?: SeedAnswer[]
}

const SUPPORT: SeedTopic[] = [
  {
    forum: 'vpr', section: 'Обмен данными', by: 'school', age: 200,
    title: 'Не загружается форма сбора результатов: «Неверный формат файла»',
    text: 'Загружаем заполненную форму сбора результатов по математике 5 класса, система пишет «Неверный формат файла». Файл не переименовывали.',
    answers: [{ by: 'support', official: true, accepted: true, text: 'Сохраните форму в формате .xlsx (Excel 2007 и новее), не меняя структуру листов, и загрузите заново. Файл .xls или форма, открытая и пересохранённая в другой программе, не принимается.' }],
  },
  {
    forum: 'vpr', section: 'Общие вопросы', by: 'mun', age: 120,
    title: 'Где скачать критерии оценивания для 5 класса?',
    text: 'Школы муниципалитета спрашивают, где найти критерии оценивания работ 5 класса.',
    answers: [{ by: 'support', official: true, text: 'Критерии публикуются в личном кабинете ОО в разделе «Обмен данными» вместе с архивом заданий в день проведения работы.' }],
  },
  {
    forum: 'vpr', section: 'Доступ к личному кабинету', by: 'school22', age: 20,
    title: 'Не приходит код подтверждения при входе',
    text: 'Пытаемся войти в личный кабинет школы, код подтверждения не приходит уже час.',
  },
  {
    forum: 'vpr-spo', section: 'Обмен данными', by: 'reg', age: 90,
    title: 'Как добавить обучающихся второго курса в форму?',
    text: 'В форме сбора результатов ВПР СПО нет строк для второго курса. Колледж просит добавить.',
    answers: [{ by: 'support', official: true, text: 'Количество строк задаётся при заказе материалов. Обратитесь к региональному координатору для корректировки заявки; форма обновится в течение суток.' }],
  },
  {
    forum: 'vpr-spo', section: 'Общие вопросы', by: 'reg', age: 30,
    title: 'Не отображаются материалы для колледжа',
    text: 'В личном кабинете колледжа раздел с материалами пуст, хотя работа назначена на завтра.',
  },
  {
    forum: 'niko', section: 'Общие вопросы', by: 'reg22', age: 150,
    title: 'Сроки загрузки анкет НИКО',
    text: 'До какого числа можно загрузить анкеты участников НИКО?',
    answers: [{ by: 'support', official: true, text: 'Сроки загрузки указаны в плане-графике проведения, опубликованном в разделе «Обмен данными». После закрытия окна загрузка недоступна.' }],
  },
  {
    forum: 'niko', section: 'Обмен данными', by: 'school', age: 40,
    title: 'Архив с материалами НИКО не открывается',
    text: 'Скачали архив, при распаковке запрашивается пароль. Где его взять?',
  },
  {
    forum: 'msi', section: 'Доступ к личному кабинету', by: 'mun', age: 160,
    title: 'Как получить логин для международного исследования?',
    text: 'Школа выбрана в выборку международного исследования, но логина для неё нет.',
    answers: [{ by: 'support', official: true, text: 'Логины участников выборки выдаёт региональный координатор исследования. Мы передали ваш запрос координатору региона.' }],
  },
  {
    forum: 'msi', section: 'Общие вопросы', by: 'reg', age: 12,
    title: 'Нужна ли замена ученика, заболевшего в день исследования?',
    text: 'Один из учеников выборки заболел. Можно ли заменить его другим учеником класса?',
  },
  {
    forum: 'iku', section: 'Общие вопросы', by: 'school', age: 100,
    title: 'Учитель не видит своё задание ИКУ',
    text: 'Учитель зашёл в систему, но не видит назначенное ему задание исследования компетенций.',
    answers: [{ by: 'support', official: true, text: 'Проверьте, что учитель входит под своим логином, а не под логином школы. Задания ИКУ назначаются персонально.' }],
  },
  {
    forum: 'fgkko', section: 'Обмен данными', by: 'mun', age: 70,
    title: 'Что загружать в раздел ФГККО?',
    text: 'В разделе ФГККО появилась форма для загрузки. Какие документы туда нужно прикладывать?',
    answers: [{ by: 'support', official: true, text: 'Перечень документов указан в письме о проведении, прикреплённом к публикации в разделе «Обмен данными». Загружаются только документы из этого перечня.' }],
  },
  {
    forum: '500plus', section: 'Аналитика', by: 'school', age: 60,
    title: 'Где найти рисковый профиль школы?',
    text: 'Школа участвует в проекте 500+. Где посмотреть рисковый профиль?',
    answers: [{ by: 'support', official: true, text: 'Рисковый профиль доступен в разделе «Аналитика» личного кабинета ОО после обработки анкет.' }],
  },
  {
    forum: 'mum', section: 'Общие вопросы', by: 'mun', age: 25,
    title: 'Кто заполняет анкету МУМ в муниципалитете?',
    text: 'Анкету мониторинга управленческих механизмов должен заполнить специалист МОУО или координатор?',
  },
]

export async function seedForumDemo(prisma: PrismaClient) {
  if ((await prisma.topic.count()) > 0) return { topics: 0 }
  const now = Date.now()

  // Extra teachers, in schools the demo seed created.
  for (const t of TEACHERS) {
    if (await prisma.user.findUnique({ where: { login: t.login } })) continue
    const org = await prisma.organization.findUnique({ where: { login: t.org } })
    if (!org) continue
    await prisma.user.create({ data: { login: t.login, fullName: t.fullName, role: 'TEACHER_EXPERT' as Role, organizationId: org.id, passwordHash: null } })
  }
  const users = await prisma.user.findMany({ where: { login: { in: Object.values(PEOPLE) } }, select: { id: true, login: true } })
  const idOf = new Map(users.map((u) => [u.login, u.id]))
  const person = (key: string) => idOf.get(PEOPLE[key] ?? key)
  // The demo stands for accounts that exist for years: the forum's new-account
  // delay (limits.server.ts) must not hold a demo teacher back on first start.
  await prisma.user.updateMany({ where: { id: { in: users.map((u) => u.id) }, createdAt: { gt: new Date(now - 30 * 24 * HOUR) } }, data: { createdAt: new Date(now - 400 * 24 * HOUR) } })

  const forums = new Map((await prisma.forum.findMany()).map((f) => [f.slug, f]))
  const sections = await prisma.forumSection.findMany()
  const subjects = await prisma.expertSubject.findMany()
  const body = (text: string) => {
    const state = contentFromText(text)
    return { content: state as object, html: renderContent(state), text: plainTextOf(state) }
  }

  const topicIds: number[] = []
  async function write(t: {
    forumId: number
    sectionId: number | null
    expertSubjectId: number | null
    taskNumber: string | null
    year: number | null
    variant: string | null
    title: string
    text: string
    by: string
    age: number
    answers: SeedAnswer[]
    kind: 'SUPPORT' | 'EXPERTS'
  }) {
    const authorId = person(t.by)
    if (!authorId) return
    const asked = new Date(now - t.age * HOUR)
    const answers = t.answers.filter((a) => person(a.by))
    await prisma.$transaction(async (tx) => {
      const topic = await tx.topic.create({
        data: {
          forumId: t.forumId, sectionId: t.sectionId, expertSubjectId: t.expertSubjectId, taskNumber: t.taskNumber, year: t.year, variant: t.variant,
          title: t.title, authorId, createdAt: asked, lastPostAt: asked,
        },
      })
      await tx.post.create({ data: { topicId: topic.id, authorId, isFirst: true, createdAt: asked, ...body(t.text) } })
      await tx.topicSubscription.create({ data: { topicId: topic.id, userId: authorId } })
      let last = asked
      let firstAnsweredAt: Date | null = null
      let officialPostId: number | null = null
      let acceptedPostId: number | null = null
      let disputed = false
      for (const [i, a] of answers.entries()) {
        // Answers come within the hours after the question, in order.
        const at = new Date(asked.getTime() + Math.min(t.age * HOUR * 0.8, (i + 1) * (0.5 + (t.age % 3)) * HOUR))
        const by = person(a.by)!
        const agree = (a.agree ?? []).map(person).filter((id): id is number => id !== undefined && id !== by)
        const disagree = (a.disagree ?? []).map(person).filter((id): id is number => id !== undefined && id !== by)
        const post = await tx.post.create({
          data: { topicId: topic.id, authorId: by, createdAt: at, official: Boolean(a.official), agreeCount: agree.length, disagreeCount: disagree.length, ...body(a.text) },
        })
        if (agree.length || disagree.length) {
          await tx.postVote.createMany({ data: [...agree.map((userId) => ({ postId: post.id, userId, value: 1 })), ...disagree.map((userId) => ({ postId: post.id, userId, value: -1 }))] })
        }
        // A disagree vote makes the question disputed (posts.server.ts, vote).
        if (disagree.length) disputed = true
        if (a.official) officialPostId = post.id
        if (a.accepted) acceptedPostId = post.id
        if (by !== authorId && !firstAnsweredAt) firstAnsweredAt = at
        last = at
      }
      const resolved = officialPostId !== null || (t.kind === 'SUPPORT' && acceptedPostId !== null)
      await tx.topic.update({
        where: { id: topic.id },
        data: {
          replyCount: answers.length,
          lastPostAt: last,
          firstAnsweredAt,
          officialPostId,
          acceptedPostId,
          disputed,
          status: resolved ? 'RESOLVED' : firstAnsweredAt ? 'ANSWERED' : 'OPEN',
          resolvedAt: resolved ? last : null,
          viewCount: 5 + ((topic.id * 37) % 120),
        },
      })
      topicIds.push(topic.id)
    })
  }

  const experts = forums.get('experts')
  if (experts) {
    for (const q of Q) {
      const subject = subjects.find((s) => s.subject === q.subject && s.grade === q.grade)
      if (!subject) continue
      await write({
        forumId: experts.id, sectionId: null, expertSubjectId: subject.id, taskNumber: q.task, year: q.year ?? null, variant: q.variant ?? null,
        title: q.title, text: q.text, by: q.by, age: q.age, answers: q.answers ?? [], kind: 'EXPERTS',
      })
    }
  }
  for (const s of SUPPORT) {
    const forum = forums.get(s.forum)
    const section = forum && sections.find((x) => x.forumId === forum.id && x.title === s.section)
    if (!forum || !section) continue
    await write({
      forumId: forum.id, sectionId: section.id, expertSubjectId: null, taskNumber: null, year: null, variant: null,
      title: s.title, text: s.text, by: s.by, age: s.age, answers: s.answers ?? [], kind: 'SUPPORT',
    })
  }

  // The search drain of the running server indexes them (kinds by forum).
  const kinds = await prisma.topic.findMany({ where: { id: { in: topicIds } }, select: { id: true, forum: { select: { kind: true } } } })
  await prisma.searchOutbox.createMany({ data: kinds.map((k) => ({ kind: k.forum.kind === 'EXPERTS' ? 'question' : 'topic', sourceId: String(k.id) })) })
  return { topics: topicIds.length }
}
